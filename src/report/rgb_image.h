#pragma once

#include <cstdint>
#include <vector>

namespace foley::report {

// An 8-bit RGB picture, rows top to bottom.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3

  RgbImage() = default;
  RgbImage(int w, int h, uint8_t r, uint8_t g, uint8_t b) : width(w), height(h) {
    pixels.resize(static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < pixels.size(); i += 3) pixels[i] = r, pixels[i + 1] = g, pixels[i + 2] = b;
  }
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    size_t i = (static_cast<size_t>(y) * width + x) * 3;
    pixels[i] = r, pixels[i + 1] = g, pixels[i + 2] = b;
  }
};

}  // namespace foley::report
