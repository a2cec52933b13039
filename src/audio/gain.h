#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// 10^(db/20).
double db_to_linear(double db);
// 20 log10(linear); -infinity for 0.
double linear_to_db(double linear);

// Multiplies every sample by 10^(db/20). No clipping happens here.
void apply_gain_db(AudioBuffer& buffer, double db);

// Largest absolute sample value (linear, 0 for silence or an empty buffer).
double sample_peak(const AudioBuffer& buffer);

}  // namespace foley::audio
