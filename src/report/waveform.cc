#include "report/waveform.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace foley::report {

RgbImage draw_waveform(const audio::AudioBuffer& audio, const WaveformOptions& o) {
  if (o.width <= 0 || o.height <= 0) throw Error("a waveform needs a positive width and height");
  RgbImage image(o.width, o.height, 246, 246, 246);
  const int mid = o.height / 2;
  for (int x = 0; x < o.width; ++x) image.set(x, mid, 200, 200, 200);
  const size_t frames = audio.frames();
  if (frames == 0) return image;
  const int ch = std::max(1, audio.channels);
  // Sample value → row: +1 at the top edge, -1 at the bottom one.
  auto row_of = [&](float v) {
    double y = (1.0 - std::clamp(static_cast<double>(v), -1.0, 1.0)) / 2.0 * (o.height - 1);
    return static_cast<int>(std::lround(y));
  };
  for (int x = 0; x < o.width; ++x) {
    size_t begin = frames * x / o.width;
    size_t end = std::max(begin + 1, frames * (x + 1) / o.width);
    float lo = 0.0f, hi = 0.0f;
    for (size_t f = begin; f < end && f < frames; ++f)
      for (int c = 0; c < ch; ++c) {
        float v = audio.samples[f * ch + c];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    for (int y = row_of(hi); y <= row_of(lo); ++y) image.set(x, y, 44, 98, 160);
  }
  return image;
}

}  // namespace foley::report
