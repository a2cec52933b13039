#include "audio/sndfile_io.h"

#include <algorithm>
#include <cstring>

namespace foley::audio::detail {

int SndFile::close() {
  int status = 0;
  if (handle_ != nullptr) status = sf_close(handle_);
  handle_ = nullptr;
  return status;
}

namespace {

sf_count_t mem_length(void* user) { return static_cast<sf_count_t>(static_cast<MemoryReader*>(user)->bytes.size()); }

sf_count_t mem_seek(sf_count_t offset, int whence, void* user) {
  auto* m = static_cast<MemoryReader*>(user);
  sf_count_t size = static_cast<sf_count_t>(m->bytes.size());
  sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->position : size;
  sf_count_t target = base + offset;
  if (target < 0) return -1;
  m->position = std::min(target, size);
  return m->position;
}

sf_count_t mem_read(void* ptr, sf_count_t count, void* user) {
  auto* m = static_cast<MemoryReader*>(user);
  sf_count_t size = static_cast<sf_count_t>(m->bytes.size());
  sf_count_t n = std::max<sf_count_t>(0, std::min(count, size - m->position));
  if (n > 0) std::memcpy(ptr, m->bytes.data() + m->position, static_cast<size_t>(n));
  m->position += n;
  return n;
}

sf_count_t mem_write(const void*, sf_count_t, void*) { return 0; }

sf_count_t mem_tell(void* user) { return static_cast<MemoryReader*>(user)->position; }

}  // namespace

SF_VIRTUAL_IO* MemoryReader::callbacks() {
  static SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
  return &io;
}

std::string container_name(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "wav";
    case SF_FORMAT_WAVEX: return "wav";
    case SF_FORMAT_RF64: return "rf64";
    case SF_FORMAT_W64: return "w64";
    case SF_FORMAT_AIFF: return "aiff";
    case SF_FORMAT_AU: return "au";
    case SF_FORMAT_RAW: return "raw";
    case SF_FORMAT_FLAC: return "flac";
    case SF_FORMAT_OGG: return "ogg";
    case SF_FORMAT_MPEG: return "mp3";
    case SF_FORMAT_CAF: return "caf";
    default: return "other";
  }
}

std::string encoding_name(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "pcm_s8";
    case SF_FORMAT_PCM_U8: return "pcm_u8";
    case SF_FORMAT_PCM_16: return "pcm_16";
    case SF_FORMAT_PCM_24: return "pcm_24";
    case SF_FORMAT_PCM_32: return "pcm_32";
    case SF_FORMAT_FLOAT: return "float";
    case SF_FORMAT_DOUBLE: return "double";
    case SF_FORMAT_ULAW: return "ulaw";
    case SF_FORMAT_ALAW: return "alaw";
    case SF_FORMAT_VORBIS: return "vorbis";
    case SF_FORMAT_OPUS: return "opus";
    case SF_FORMAT_MPEG_LAYER_I: return "mpeg_layer_i";
    case SF_FORMAT_MPEG_LAYER_II: return "mpeg_layer_ii";
    case SF_FORMAT_MPEG_LAYER_III: return "mpeg_layer_iii";
    default: return "other";
  }
}

}  // namespace foley::audio::detail
