#pragma once

// Reads a PNG back with libpng's own decoder, so tests judge the pixels a
// browser would show, not the encoder's input.

#include <png.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace foley::report::testing {

struct DecodedPng {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // rows top to bottom

  int brightness(int x, int y) const {
    size_t i = (static_cast<size_t>(y) * width + x) * 3;
    return rgb[i] + rgb[i + 1] + rgb[i + 2];
  }
};

inline DecodedPng decode_png(const std::filesystem::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw std::runtime_error("cannot read " + path.string() + ": " + image.message);
  image.format = PNG_FORMAT_RGB;
  DecodedPng out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    std::string why = image.message;
    png_image_free(&image);
    throw std::runtime_error("cannot decode " + path.string() + ": " + why);
  }
  return out;
}

}  // namespace foley::report::testing
