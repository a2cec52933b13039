#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// The one WAV writer for images built in memory: exactly the header and the
// samples, nothing that depends on the time or the machine, so the same
// samples always give the same bytes (libsndfile adds a PEAK chunk with a
// timestamp to float WAVs).
namespace foley::audio {

// WAVE format tags.
inline constexpr int kWavPcm = 1;
inline constexpr int kWavFloat = 3;
inline constexpr int kWavALaw = 6;
inline constexpr int kWavMuLaw = 7;

// A RIFF/WAVE image of interleaved frames `data` (already in the format's
// little-endian layout): a 16-byte fmt chunk for PCM; an 18-byte fmt chunk
// (cbSize 0) and a fact chunk for every other format. Throws foley::Error when
// the data is not whole frames or does not fit a WAV file.
std::string wav_image(std::string_view data, int format_tag, int bits_per_sample, int channels, int sample_rate);

// Size of the header float_wav_image writes before the samples.
inline constexpr size_t kFloatWavHeaderBytes = 58;

// A mono IEEE-float WAV image of `samples` at `sample_rate`.
std::string float_wav_image(const std::vector<float>& samples, int sample_rate);

}  // namespace foley::audio
