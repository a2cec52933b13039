#include "audio/gain.h"

#include <cmath>
#include <limits>

namespace foley::audio {

double db_to_linear(double db) { return std::pow(10.0, db / 20.0); }

double linear_to_db(double linear) {
  if (!(linear > 0.0)) return -std::numeric_limits<double>::infinity();
  return 20.0 * std::log10(linear);
}

void apply_gain_db(AudioBuffer& buffer, double db) {
  if (db == 0.0) return;
  const float g = static_cast<float>(db_to_linear(db));
  for (float& s : buffer.samples) s *= g;
}

double sample_peak(const AudioBuffer& buffer) {
  float peak = 0.0f;
  for (float s : buffer.samples) peak = std::max(peak, std::fabs(s));
  return peak;
}

}  // namespace foley::audio
