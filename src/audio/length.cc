#include "audio/length.h"

#include <cmath>

namespace foley::audio {

size_t seconds_to_frames(double seconds, int sample_rate) {
  if (!(seconds > 0.0) || sample_rate <= 0) return 0;
  return static_cast<size_t>(std::llround(seconds * sample_rate));
}

void fit_length(AudioBuffer& buffer, size_t frames) {
  buffer.samples.resize(frames * static_cast<size_t>(buffer.channels), 0.0f);
}

}  // namespace foley::audio
