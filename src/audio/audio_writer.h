#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "audio/audio_buffer.h"
#include "audio/metadata.h"
#include "common/atomic_file.h"

namespace foley::audio {

// A forward loop over frames [start, end] (both inclusive, as a WAV `smpl`
// chunk counts them).
struct LoopPoints {
  size_t start = 0;
  size_t end = 0;
};

// How a buffer is encoded on disk.
struct WriteOptions {
  std::string format = "wav";  // "wav" | "flac" | "mp3" | "ogg" | "opus" (delivery_formats.h)
  int bit_depth = 24;          // 16 or 24 (integer PCM), 32 (IEEE float, wav only); not used by lossy formats
  std::optional<int> bitrate;  // kbps, mp3 (constant bitrate) and opus; empty = the format's default
  std::optional<double> quality;  // 0..10, ogg (Vorbis); empty = the format's default
  AudioMetadata metadata;
  // WAV: a `smpl` chunk with this one loop (libsndfile's SF_INSTRUMENT).
  // FLAC, Ogg Vorbis, Ogg Opus: LOOPSTART / LOOPLENGTH Vorbis comments
  // (vorbis_comments.h). MP3: none (ID3 has no loop frame).
  std::optional<LoopPoints> loop;
  // WAV only: a BWF `bext` chunk, and an `iXML` chunk holding this document.
  std::optional<BroadcastInfo> bext;
  std::string ixml;
};

// Throws foley::Error (naming `context`, e.g. a cue, and the field) unless
// format/bit_depth is a combination write_audio supports.
void check_write_options(const WriteOptions& options, const std::string& context);

// Encodes `buffer` into the (still uncommitted) temp file; the caller commits.
// Samples beyond full scale are clipped by integer encodings. Throws
// foley::Error on bad options or a write failure; the temp file is then
// discarded by its destructor.
void encode_audio(TempFile& out, const AudioBuffer& buffer, const WriteOptions& options);

// Writes `buffer` to `path` atomically: encoded into a temp file in the same
// directory, fsynced, renamed into place. On failure nothing is left at `path`
// (an existing file there is left untouched) and no temp file remains.
void write_audio(const std::filesystem::path& path, const AudioBuffer& buffer, const WriteOptions& options);

}  // namespace foley::audio
