#pragma once

// Internal helpers around libsndfile shared by the reader and the writer.

#include <sndfile.h>

#include <string>
#include <string_view>

namespace foley::audio::detail {

// Owns a SNDFILE*; closes it on destruction.
class SndFile {
 public:
  SndFile() = default;
  explicit SndFile(SNDFILE* handle) : handle_(handle) {}
  ~SndFile() { close(); }
  SndFile(const SndFile&) = delete;
  SndFile& operator=(const SndFile&) = delete;

  SNDFILE* get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }
  // Closes the file; returns sf_close's status (0 on success, or when not open).
  int close();

 private:
  SNDFILE* handle_ = nullptr;
};

// A read-only byte range presented to libsndfile through its virtual I/O, so
// encoded audio held in memory (an HTTP body) can be decoded without a file.
struct MemoryReader {
  std::string_view bytes;
  sf_count_t position = 0;

  // The callback table; pass `this` as user data to sf_open_virtual.
  static SF_VIRTUAL_IO* callbacks();
};

// The container name of a libsndfile format ("wav", "flac", "ogg", "mp3", ...).
std::string container_name(int format);
// The encoding name of a libsndfile format ("pcm_16", "float", "vorbis", "opus", ...).
std::string encoding_name(int format);

}  // namespace foley::audio::detail

#include "audio/metadata.h"

namespace foley::audio::detail {

// Calls `fn(sf_str_id, field)` for every string field of `m` (mutable access).
template <typename Meta, typename Fn>
void for_each_tag(Meta& m, Fn&& fn) {
  fn(SF_STR_TITLE, m.title);
  fn(SF_STR_ARTIST, m.artist);
  fn(SF_STR_ALBUM, m.album);
  fn(SF_STR_COMMENT, m.comment);
  fn(SF_STR_SOFTWARE, m.software);
  fn(SF_STR_GENRE, m.genre);
  fn(SF_STR_COPYRIGHT, m.copyright);
}

}  // namespace foley::audio::detail
