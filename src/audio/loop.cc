#include "audio/loop.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "audio/length.h"
#include "common/error.h"

namespace foley::audio {
namespace {

constexpr double kCrossfadeSeconds = 0.5;
// The stretch compared at each candidate seam, and how far the search roams.
constexpr double kCompareSeconds = 0.05;
constexpr double kSearchSeconds = 1.0;
constexpr double kFreeStartSeconds = 0.25;
constexpr size_t kCoarseStep = 64;

// The channels' mean, one value a frame: what the similarity is judged on.
std::vector<float> mono(const AudioBuffer& b) {
  std::vector<float> m(b.frames());
  for (size_t f = 0; f < m.size(); ++f) {
    float sum = 0.0f;
    for (int c = 0; c < b.channels; ++c) sum += b.at(f, c);
    m[f] = sum / static_cast<float>(b.channels);
  }
  return m;
}

// Normalised correlation of m[a .. a + n) and m[b .. b + n); 1 for two silences.
double similarity(const std::vector<float>& m, size_t a, size_t b, size_t n) {
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double x = m[a + i], y = m[b + i];
    ab += x * y, aa += x * x, bb += y * y;
  }
  if (aa == 0.0 && bb == 0.0) return 1.0;
  if (aa == 0.0 || bb == 0.0) return 0.0;
  return ab / std::sqrt(aa * bb);
}

struct Seam {
  size_t start = 0, period = 0;
  double score = -2.0;
};

// The best (start, period) with start + period + crossfade <= frames, starts in
// [0, search] and periods in [lo, hi]: a coarse grid, then every frame around
// the best point of the grid.
Seam search_seam(const std::vector<float>& m, size_t crossfade, size_t lo, size_t hi, size_t search,
                 size_t compare) {
  const size_t n = m.size();
  Seam best;
  auto consider = [&](size_t start, size_t period) {
    if (period < lo || period > hi || start + period + crossfade > n) return;
    const double s = similarity(m, start, start + period, compare);
    if (s > best.score) best = {start, period, s};
  };
  for (size_t period = hi;; period = period >= lo + kCoarseStep ? period - kCoarseStep : lo) {
    for (size_t start = 0; start <= search; start += kCoarseStep) consider(start, period);
    if (period == lo) break;
  }
  const Seam coarse = best;
  for (size_t ds = 0; ds <= 2 * kCoarseStep; ++ds) {
    if (coarse.start + ds < kCoarseStep) continue;
    const size_t start = coarse.start + ds - kCoarseStep;
    if (lo == hi) {
      consider(start, lo);
      continue;
    }
    for (size_t dp = 0; dp <= 2 * kCoarseStep; dp += 8)
      if (coarse.period + dp >= kCoarseStep) consider(start, coarse.period + dp - kCoarseStep);
  }
  return best;
}

}  // namespace

AudioBuffer make_loop(const AudioBuffer& source, std::optional<size_t> frames, LoopResult& result) {
  const size_t n = source.frames();
  if (n < 4) throw Error("cannot loop " + std::to_string(n) + " frames of audio: too short to crossfade");
  const size_t crossfade =
      std::max<size_t>(1, std::min(seconds_to_frames(kCrossfadeSeconds, source.sample_rate), n / 4));
  const size_t longest = n - crossfade;  // the longest body the source allows
  size_t lo = 0, hi = 0, repeats = 1;
  if (frames) {
    if (*frames == 0) throw Error("cannot loop to a length of 0 frames");
    repeats = (*frames + longest - 1) / longest;
    lo = hi = std::max<size_t>(1, *frames / repeats);
  } else {
    // Free length: the seam may move back up to kSearchSeconds from the end.
    hi = longest;
    lo = longest - std::min(longest / 4, seconds_to_frames(kSearchSeconds, source.sample_rate));
  }
  const size_t compare = std::min(crossfade, std::max<size_t>(1, seconds_to_frames(kCompareSeconds,
                                                                                   source.sample_rate)));
  const double roam = frames ? kSearchSeconds : kFreeStartSeconds;
  const size_t search = std::min(n - lo - crossfade, seconds_to_frames(roam, source.sample_rate));
  const Seam seam = search_seam(mono(source), crossfade, lo, hi, search, compare);

  result.seam_start = seam.start;
  result.period = seam.period;
  result.crossfade = crossfade;
  result.repeats = repeats;
  result.similarity = seam.score;

  const double correlation = std::clamp(seam.score, 0.0, 1.0);
  AudioBuffer body = AudioBuffer::silence(seam.period, source.channels, source.sample_rate);
  for (size_t i = 0; i < seam.period; ++i) {
    double in = 1.0, out = 0.0;
    if (i < crossfade) {
      // Equal power for unrelated sound (sin/cos); for correlated sound the
      // same curves would swell by up to 3 dB, so they are scaled to keep the
      // power of the mix constant given the stretches' correlation.
      const double t = (static_cast<double>(i) + 0.5) / static_cast<double>(crossfade);
      in = std::sin(t * std::numbers::pi / 2.0);
      out = std::cos(t * std::numbers::pi / 2.0);
      const double norm = 1.0 / std::sqrt(1.0 + 2.0 * correlation * in * out);
      in *= norm, out *= norm;
    }
    for (int c = 0; c < source.channels; ++c) {
      double v = in * source.at(seam.start + i, c);
      if (out != 0.0) v += out * source.at(seam.start + seam.period + i, c);
      body.at(i, c) = static_cast<float>(v);
    }
  }
  AudioBuffer looped = AudioBuffer::silence(0, source.channels, source.sample_rate);
  looped.samples.reserve(body.samples.size() * repeats);
  for (size_t r = 0; r < repeats; ++r) looped.samples.insert(looped.samples.end(), body.samples.begin(), body.samples.end());
  return looped;
}

}  // namespace foley::audio
