#pragma once

#include <filesystem>
#include <string>

#include "report/rgb_image.h"

namespace foley::report {

// The PNG encoding of `image` (8-bit RGB, libpng).
std::string encode_png(const RgbImage& image);

// Writes `image` as a PNG through a temp file renamed into place: a report
// folder never holds half an image. Throws foley::Error naming the path.
void write_png(const std::filesystem::path& path, const RgbImage& image);

}  // namespace foley::report
