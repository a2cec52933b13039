#pragma once

#include <string>
#include <vector>

namespace foley::engines {

// Size of the header float_wav_image writes before the samples.
inline constexpr size_t kFloatWavHeaderBytes = 58;

// A complete mono IEEE-float WAV image (format tag 3, 18-byte fmt, fact,
// data) of `samples` at `sample_rate`: exactly those bytes, nothing that
// depends on the time or the machine, so the same waveform always gives the
// same file (libsndfile adds a PEAK chunk with a timestamp to float WAVs).
// Throws foley::Error when the samples do not fit a WAV file.
std::string float_wav_image(const std::vector<float>& samples, int sample_rate);

}  // namespace foley::engines
