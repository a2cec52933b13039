#include "report/png_writer.h"

#include <png.h>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::report {
namespace {

void append(png_structp png, png_bytep data, png_size_t size) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), size);
}

void no_flush(png_structp) {}

// libpng reports errors by longjmp (it is C: an exception must not unwind
// through it), so everything between setjmp and the last libpng call is plain
// data; the std::string is only reached through the io pointer.
bool encode_rows(const RgbImage& image, std::string* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, append, no_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y)
    png_write_row(png, const_cast<png_bytep>(image.pixels.data() + static_cast<size_t>(y) * image.width * 3));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

std::string encode_png(const RgbImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("cannot encode an empty or inconsistent image as PNG");
  std::string out;
  if (!encode_rows(image, &out)) throw Error("PNG encoding failed");
  return out;
}

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  // Derived: a lost image is drawn again by the next report.
  write_file_atomic(path, encode_png(image), Durability::kDerived);
}

}  // namespace foley::report
