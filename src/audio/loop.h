#pragma once

#include <cstddef>
#include <optional>

#include "audio/audio_buffer.h"

namespace foley::audio {

// Where a loop was cut from its source, and how it was laid out.
struct LoopResult {
  size_t seam_start = 0;   // first source frame of the loop body
  size_t period = 0;       // frames in one loop body (the file holds `repeats` of them)
  size_t crossfade = 0;    // frames of the equal-power crossfade at the start of each body
  size_t repeats = 1;      // bodies in the file
  double similarity = 0.0;  // normalised correlation of the two crossfaded stretches (-1..1)
};

// Makes a seamless loop of `source`: a body of `period` frames, source[seam ..
// seam + period), whose first `crossfade` frames are an equal-power crossfade
// from the audio that follows the body's end (source[seam + period ..]) into
// its own start (scaled for the stretches' correlation, so like material
// does not swell). The last frame of the body is therefore followed, on
// wrapping, by exactly the frame that followed it in the source: no click,
// however different the two ends were. The seam (start and, when free, the
// period) is searched for the pair of stretches that are most alike, so the
// crossfade blends similar sound and neither dips nor swells.
//
// `frames`: the length asked for (the cue's clip); the body is repeated to
// fill it, with a period of frames / repeats so the file itself loops
// (its length may then fall short of `frames` by less than `repeats` frames).
// Without a length the file is one body, as long as the source allows.
// The crossfade is 0.5 s, or a quarter of the source when that is shorter.
// Throws foley::Error for a source shorter than 4 frames.
AudioBuffer make_loop(const AudioBuffer& source, std::optional<size_t> frames, LoopResult& result);

}  // namespace foley::audio
