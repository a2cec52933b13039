#pragma once

// Test signals and helpers shared by the audio tests.

#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

#include "audio/audio_buffer.h"

namespace foley::audio::testing {

// `seconds` of a sine at `freq` Hz and `amplitude`, the same in every channel.
inline AudioBuffer sine(double freq, double seconds, int sample_rate, double amplitude = 0.5, int channels = 1) {
  AudioBuffer b = AudioBuffer::silence(static_cast<size_t>(std::llround(seconds * sample_rate)), channels, sample_rate);
  for (size_t f = 0; f < b.frames(); ++f) {
    float v = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * freq * f / sample_rate));
    for (int c = 0; c < channels; ++c) b.at(f, c) = v;
  }
  return b;
}

// Deterministic uniform white noise in [-amplitude, amplitude], independent per channel.
inline AudioBuffer noise(double seconds, int sample_rate, double amplitude = 0.25, int channels = 1,
                         uint32_t seed = 1234) {
  AudioBuffer b = AudioBuffer::silence(static_cast<size_t>(std::llround(seconds * sample_rate)), channels, sample_rate);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(static_cast<float>(-amplitude), static_cast<float>(amplitude));
  for (float& s : b.samples) s = dist(rng);
  return b;
}

// Frequency of a (near) pure tone in channel 0, from rising zero crossings of
// the central 80% of the buffer (the edges carry resampler and codec transients).
inline double estimate_frequency(const AudioBuffer& b) {
  size_t begin = b.frames() / 10, end = b.frames() - b.frames() / 10;
  size_t first = 0, last = 0, count = 0;
  for (size_t f = begin + 1; f < end; ++f) {
    if (b.at(f - 1, 0) < 0.0f && b.at(f, 0) >= 0.0f) {
      if (count == 0) first = f;
      last = f;
      ++count;
    }
  }
  if (count < 2) return 0.0;
  return static_cast<double>(count - 1) * b.sample_rate / static_cast<double>(last - first);
}

// A fresh directory, removed with its contents at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "foley-audio-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  // Number of entries in the directory (temp files included).
  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
    return n;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace foley::audio::testing
