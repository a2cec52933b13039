#include "audio/highpass.h"

#include <cmath>
#include <numbers>

#include "common/error.h"

namespace foley::audio {

void remove_dc(AudioBuffer& buffer, double cutoff_hz) {
  if (!(cutoff_hz > 0.0) || buffer.frames() == 0) return;
  if (cutoff_hz >= buffer.sample_rate / 2.0)
    throw Error("high-pass cutoff " + std::to_string(cutoff_hz) + " Hz is not under half the sample rate");
  const size_t frames = buffer.frames();
  // RBJ cookbook high-pass, Q = 1/sqrt(2) (Butterworth).
  const double w0 = 2.0 * std::numbers::pi * cutoff_hz / buffer.sample_rate;
  const double q = 1.0 / std::numbers::sqrt2;
  const double alpha = std::sin(w0) / (2.0 * q);
  const double cosw = std::cos(w0);
  const double a0 = 1.0 + alpha;
  const double b0 = (1.0 + cosw) / 2.0 / a0, b1 = -(1.0 + cosw) / a0, b2 = b0;
  const double a1 = -2.0 * cosw / a0, a2 = (1.0 - alpha) / a0;
  for (int c = 0; c < buffer.channels; ++c) {
    double mean = 0.0;
    for (size_t f = 0; f < frames; ++f) mean += buffer.at(f, c);
    mean /= static_cast<double>(frames);
    double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
    for (size_t f = 0; f < frames; ++f) {
      const double x = buffer.at(f, c) - mean;
      const double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1, x1 = x, y2 = y1, y1 = y;
      buffer.at(f, c) = static_cast<float>(y);
    }
  }
}

}  // namespace foley::audio
