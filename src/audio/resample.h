#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// Resamples to `sample_rate` with soxr at high quality (SOXR_HQ: 20-bit
// precision, linear phase). The result holds round(frames * out / in) frames.
// Returns the input unchanged when the rate already matches. Throws
// foley::Error for a non-positive rate or a soxr failure.
AudioBuffer resample(const AudioBuffer& buffer, int sample_rate);

}  // namespace foley::audio
