#pragma once

#include <cstddef>
#include <vector>

namespace foley::audio {

// Decoded audio in memory: interleaved float32 samples, nominally in [-1, 1]
// (values outside are kept, never clipped, until a file is written).
// samples.size() is always a multiple of channels.
struct AudioBuffer {
  std::vector<float> samples;  // interleaved: frame 0 ch 0, frame 0 ch 1, frame 1 ch 0, ...
  int channels = 1;
  int sample_rate = 48000;     // Hz

  // Number of frames (samples per channel).
  size_t frames() const { return channels > 0 ? samples.size() / static_cast<size_t>(channels) : 0; }

  // Length in seconds; 0 for an empty buffer.
  double duration_seconds() const {
    return sample_rate > 0 ? static_cast<double>(frames()) / sample_rate : 0.0;
  }

  // Sample of `channel` in `frame`; no bounds check.
  float& at(size_t frame, int channel) { return samples[frame * channels + channel]; }
  float at(size_t frame, int channel) const { return samples[frame * channels + channel]; }

  // A buffer of `frames` frames of digital silence.
  static AudioBuffer silence(size_t frames, int channels, int sample_rate) {
    AudioBuffer b;
    b.channels = channels;
    b.sample_rate = sample_rate;
    b.samples.assign(frames * static_cast<size_t>(channels), 0.0f);
    return b;
  }
};

}  // namespace foley::audio
