#pragma once

// Internal: MP3 (MPEG audio layer I/II/III) decoding straight through libmpg123.
// libsndfile 1.2 decodes MP3 with mpg123 too, but it trusts mpg123's up-front
// length estimate as a hard limit on reads, so a VBR stream without a Xing
// header comes back silently truncated. Here the stream is decoded to its end.

#include <cstdint>
#include <string>
#include <string_view>

#include "audio/audio_buffer.h"

namespace foley::audio::detail {

// What a decoded stream holds.
struct MpegStream {
  int64_t frames = 0;
  int sample_rate = 0;
  int channels = 0;
};

// Decodes every frame of the MPEG audio stream in `bytes` (ID3 tags skipped,
// gapless: encoder delay and padding removed when the LAME header gives them)
// into `out`, or only counts the frames when `out` is null. Throws
// foley::Error naming `origin` when nothing decodes, or the stream is corrupt
// or changes format midway.
MpegStream decode_mpeg(std::string_view bytes, const std::string& origin, AudioBuffer* out);

}  // namespace foley::audio::detail
