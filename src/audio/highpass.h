#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// The DC guard for generated audio: removes each channel's mean (the offset a
// model leaves, which would otherwise eat headroom and click at every edit),
// then high-passes at `cutoff_hz` with a second-order Butterworth filter
// (12 dB/octave) to take out the subsonic drift left after the mean. The mean
// goes first so the filter does not ring on a DC step at the first sample.
// A cutoff of 0 or below leaves the buffer untouched; the cutoff must be under
// half the sample rate.
void remove_dc(AudioBuffer& buffer, double cutoff_hz);

}  // namespace foley::audio
