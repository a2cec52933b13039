#include "report/spectrogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "common/error.h"
#include "report/real_fft.h"

namespace foley::report {
namespace {

struct Rgb {
  double r, g, b;
};

// Black → violet → red → orange → pale yellow: brightness rises monotonically,
// so a louder bin is always a brighter pixel.
constexpr std::array<Rgb, 5> kStops = {{{0, 0, 0}, {80, 18, 123}, {182, 54, 121}, {251, 136, 97}, {252, 253, 191}}};

Rgb colour(double level) {
  level = std::clamp(level, 0.0, 1.0);
  double pos = level * (kStops.size() - 1);
  size_t i = std::min(static_cast<size_t>(pos), kStops.size() - 2);
  double t = pos - static_cast<double>(i);
  const Rgb& a = kStops[i];
  const Rgb& b = kStops[i + 1];
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

std::vector<float> mono(const audio::AudioBuffer& audio) {
  std::vector<float> out(audio.frames());
  const int ch = std::max(1, audio.channels);
  for (size_t f = 0; f < out.size(); ++f) {
    float sum = 0.0f;
    for (int c = 0; c < ch; ++c) sum += audio.samples[f * ch + c];
    out[f] = sum / static_cast<float>(ch);
  }
  return out;
}

// Frequency band [low, high) of a row, in Hz.
std::pair<double, double> row_band(int row, int sample_rate, const SpectrogramOptions& o) {
  const double nyquist = sample_rate / 2.0;
  const int from_bottom = o.height - 1 - row;
  return {nyquist * from_bottom / o.height, nyquist * (from_bottom + 1) / o.height};
}

}  // namespace

double row_center_frequency(int row, int sample_rate, const SpectrogramOptions& options) {
  auto [low, high] = row_band(row, sample_rate, options);
  return (low + high) / 2.0;
}

int row_of_frequency(double frequency, int sample_rate, const SpectrogramOptions& options) {
  const double nyquist = sample_rate / 2.0;
  int from_bottom = static_cast<int>(std::floor(frequency / nyquist * options.height));
  return options.height - 1 - std::clamp(from_bottom, 0, options.height - 1);
}

int colormap_brightness(double level) {
  Rgb c = colour(level);
  return static_cast<int>(std::lround(c.r)) + static_cast<int>(std::lround(c.g)) + static_cast<int>(std::lround(c.b));
}

RgbImage draw_spectrogram(const audio::AudioBuffer& audio, const SpectrogramOptions& o) {
  if (o.width <= 0 || o.height <= 0) throw Error("a spectrogram needs a positive width and height");
  RealFft fft(o.fft_size);
  const std::vector<float> signal = mono(audio);
  const int n = o.fft_size;
  std::vector<float> window(n);
  for (int i = 0; i < n; ++i) window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / n));

  // Which FFT bins fall in each row: a row shows the loudest of them, so a
  // narrow tone stays visible however many bins a row spans.
  const int bins = n / 2 + 1;
  const int rate = std::max(1, audio.sample_rate);
  std::vector<std::pair<int, int>> row_bins(o.height);
  for (int row = 0; row < o.height; ++row) {
    auto [low, high] = row_band(row, rate, o);
    int first = static_cast<int>(std::ceil(low * n / rate));
    int last = static_cast<int>(std::ceil(high * n / rate)) - 1;
    if (row == 0) last = bins - 1;                     // the top row keeps Nyquist
    first = std::clamp(first, 0, bins - 1);
    last = std::clamp(std::max(last, first), 0, bins - 1);  // a band narrower than a bin takes its nearest
    row_bins[row] = {first, last};
  }

  // One frame per column, centred on the column's time; outside the signal is silence.
  std::vector<float> db(static_cast<size_t>(o.width) * o.height, -1e9f);
  std::vector<float> frame(n), mags;
  float loudest = -1e9f;
  const double total = static_cast<double>(signal.size());
  for (int x = 0; x < o.width; ++x) {
    const long long centre = static_cast<long long>((x + 0.5) / o.width * total);
    const long long start = centre - n / 2;
    for (int i = 0; i < n; ++i) {
      long long s = start + i;
      frame[i] = (s >= 0 && s < static_cast<long long>(signal.size())) ? signal[s] * window[i] : 0.0f;
    }
    fft.magnitudes(frame.data(), mags);
    for (int row = 0; row < o.height; ++row) {
      float m = 0.0f;
      for (int k = row_bins[row].first; k <= row_bins[row].second; ++k) m = std::max(m, mags[k]);
      float v = m > 0.0f ? 20.0f * std::log10(m) : -1e9f;
      db[static_cast<size_t>(row) * o.width + x] = v;
      loudest = std::max(loudest, v);
    }
  }

  RgbImage image(o.width, o.height, 0, 0, 0);
  if (loudest <= -1e8f) return image;  // digital silence
  for (int row = 0; row < o.height; ++row)
    for (int x = 0; x < o.width; ++x) {
      double level = (db[static_cast<size_t>(row) * o.width + x] - loudest + o.dynamic_range_db) / o.dynamic_range_db;
      Rgb c = colour(level);
      image.set(x, row, static_cast<uint8_t>(std::lround(c.r)), static_cast<uint8_t>(std::lround(c.g)),
                static_cast<uint8_t>(std::lround(c.b)));
    }
  return image;
}

}  // namespace foley::report
