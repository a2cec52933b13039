#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// What the limiter did.
struct LimiterResult {
  double max_reduction_db = 0.0;  // the deepest gain reduction applied (>= 0)
  size_t limited_frames = 0;      // frames whose gain was reduced
};

// A true-peak limiter with lookahead: the inter-sample peak of every frame is
// estimated on a 4x oversampled copy (soxr), the gain each frame needs to keep
// that peak at or under `ceiling_dbtp` is taken as the minimum over the next
// 5 ms (the lookahead), smoothed by a 5 ms moving average (so the gain is
// already down when the peak arrives, never a step) and released over 50 ms.
// `circular`: the buffer is a loop, so the lookahead and release wrap around
// its end and the gain at the last frame meets the gain at the first.
// Frames under the ceiling with no peak nearby are untouched.
LimiterResult limit_true_peak(AudioBuffer& buffer, double ceiling_dbtp, bool circular = false);

}  // namespace foley::audio
