#pragma once

#include <cstddef>

#include "audio/audio_buffer.h"

namespace foley::audio {

// The whole number of frames nearest to `seconds` at `sample_rate` (>= 0).
size_t seconds_to_frames(double seconds, int sample_rate);

// Trims the end of `buffer`, or pads it with digital silence, so that it holds
// exactly `frames` frames.
void fit_length(AudioBuffer& buffer, size_t frames);

}  // namespace foley::audio
