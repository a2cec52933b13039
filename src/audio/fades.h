#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// Linear fades ramp the amplitude; equal-power fades follow a quarter sine, so
// a fade-out overlapped with a fade-in keeps the summed power constant.
enum class FadeShape { kLinear, kEqualPower };

// Fades the first `fade_in` and last `fade_out` seconds of `buffer`. Each length
// is clamped to the buffer's length; negative lengths count as 0. The first
// frame of a fade-in and the last frame of a fade-out are exactly 0; frames
// outside both fades are untouched. Overlapping fades multiply.
void apply_fades(AudioBuffer& buffer, double fade_in, double fade_out, FadeShape shape = FadeShape::kLinear);

}  // namespace foley::audio
