#include "audio/mpeg_decoder.h"

#include <mpg123.h>
#include <sys/types.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "common/error.h"

namespace foley::audio::detail {
namespace {

struct Source {
  std::string_view bytes;
  off_t position = 0;
};

ssize_t source_read(void* handle, void* buffer, size_t n) {
  auto* s = static_cast<Source*>(handle);
  size_t left = s->bytes.size() - static_cast<size_t>(s->position);
  size_t count = std::min(n, left);
  std::memcpy(buffer, s->bytes.data() + s->position, count);
  s->position += static_cast<off_t>(count);
  return static_cast<ssize_t>(count);
}

off_t source_seek(void* handle, off_t offset, int whence) {
  auto* s = static_cast<Source*>(handle);
  off_t size = static_cast<off_t>(s->bytes.size());
  off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->position : size;
  off_t target = base + offset;
  if (target < 0 || target > size) return -1;
  s->position = target;
  return target;
}

struct HandleDeleter {
  void operator()(mpg123_handle* h) const {
    mpg123_close(h);
    mpg123_delete(h);
  }
};

}  // namespace

MpegStream decode_mpeg(std::string_view bytes, const std::string& origin, AudioBuffer* out) {
  const std::string what = "cannot decode MP3 file " + origin + ": ";
  mpg123_init();  // a no-op since mpg123 1.27, kept for older libraries
  int err = MPG123_OK;
  std::unique_ptr<mpg123_handle, HandleDeleter> mh(mpg123_new(nullptr, &err));
  if (!mh) throw Error::failure(what + mpg123_plain_strerror(err));
  mpg123_param(mh.get(), MPG123_ADD_FLAGS, MPG123_FORCE_FLOAT | MPG123_GAPLESS | MPG123_QUIET, 0.0);
  mpg123_param(mh.get(), MPG123_REMOVE_FLAGS, MPG123_AUTO_RESAMPLE, 0.0);
  Source source{bytes, 0};
  if (mpg123_replace_reader_handle(mh.get(), source_read, source_seek, nullptr) != MPG123_OK ||
      mpg123_open_handle(mh.get(), &source) != MPG123_OK)
    throw Error(what + mpg123_strerror(mh.get()));

  long rate = 0;
  int channels = 0;
  int encoding = 0;
  int64_t frames = 0;
  std::vector<float> block(16384);
  for (;;) {
    size_t done = 0;
    int ret = mpg123_read(mh.get(), reinterpret_cast<unsigned char*>(block.data()), block.size() * sizeof(float),
                          &done);
    if (ret == MPG123_NEW_FORMAT) {
      long new_rate = 0;
      int new_channels = 0;
      mpg123_getformat(mh.get(), &new_rate, &new_channels, &encoding);
      if (frames > 0 && (new_rate != rate || new_channels != channels))
        throw Error(what + "the stream changes format midway (" + std::to_string(rate) + " Hz to " +
                    std::to_string(new_rate) + " Hz)");
      if (encoding != MPG123_ENC_FLOAT_32) throw Error::failure(what + "libmpg123 does not produce float samples");
      rate = new_rate;
      channels = new_channels;
    } else if (ret != MPG123_OK && ret != MPG123_DONE) {
      throw Error(what + mpg123_strerror(mh.get()));
    }
    if (done > 0) {
      if (channels <= 0) throw Error(what + "samples before any stream format");
      const size_t samples = done / sizeof(float);
      frames += static_cast<int64_t>(samples / static_cast<size_t>(channels));
      if (out) out->samples.insert(out->samples.end(), block.begin(), block.begin() + samples);
    }
    if (ret == MPG123_DONE) break;
  }
  if (frames == 0 || rate <= 0 || channels <= 0) throw Error(what + "no MPEG audio frames decode");
  if (out) {
    out->sample_rate = static_cast<int>(rate);
    out->channels = channels;
  }
  return MpegStream{frames, static_cast<int>(rate), channels};
}

}  // namespace foley::audio::detail
