#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "audio/highpass.h"
#include "audio/limiter.h"
#include "audio/loop.h"
#include "audio/loudness.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;

namespace {

// Largest |x[i+1] - x[i]| over channel 0 of b, for i in [begin, end), with the
// frame after the last wrapping to the first.
double max_jump(const AudioBuffer& b, size_t begin, size_t end) {
  double jump = 0.0;
  for (size_t i = begin; i < end; ++i)
    jump = std::max(jump, double(std::fabs(b.at((i + 1) % b.frames(), 0) - b.at(i % b.frames(), 0))));
  return jump;
}

// Magnitude spectrum of 1024 frames of channel 0 from `at` (wrapping), Hann windowed.
std::vector<double> spectrum(const AudioBuffer& b, size_t at) {
  constexpr size_t n = 1024;
  std::vector<double> mag(n / 2);
  for (size_t k = 0; k < n / 2; k += 4) {
    std::complex<double> sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const double w = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / (n - 1));
      sum += w * b.at((at + i) % b.frames(), 0) * std::polar(1.0, -2 * std::numbers::pi * k * i / n);
    }
    mag[k] = std::abs(sum);
  }
  return mag;
}

// Spectral flux between the 1024 frames before `at` and the 1024 from `at`.
double flux(const AudioBuffer& b, size_t at) {
  const size_t before = (at + b.frames() - 1024) % b.frames();
  std::vector<double> x = spectrum(b, before), y = spectrum(b, at);
  double f = 0.0;
  for (size_t k = 0; k < x.size(); ++k) f += std::max(0.0, y[k] - x[k]);
  return f;
}

// A bed whose two ends do not meet: a drifting chord over noise on a slow ramp.
AudioBuffer bed(double seconds) {
  AudioBuffer b = testing::noise(seconds, 48000, 0.05);
  for (size_t f = 0; f < b.frames(); ++f) {
    const double t = double(f) / 48000;
    b.at(f, 0) += float(0.3 * t / seconds + 0.2 * std::sin(2 * std::numbers::pi * (110 + 3 * t) * t) +
                        0.1 * std::sin(2 * std::numbers::pi * 331 * t) * (1 + t / seconds));
  }
  return b;
}

}  // namespace

TEST_CASE("a loop extended to clip is seamless: no jump or flux at its seams beyond the body's own",
          "[audio][loop]") {
  AudioBuffer source = bed(8.0);
  // Cut as it stands, the wrap from the last frame to the first clicks.
  const double body_jump = max_jump(source, 1, source.frames() - 2);
  REQUIRE(std::fabs(source.at(source.frames() - 1, 0) - source.at(0, 0)) > body_jump);

  LoopResult r;
  AudioBuffer loop = make_loop(source, size_t(20 * 48000), r);
  CHECK(r.repeats == 3);
  CHECK(r.period * r.repeats == loop.frames());
  CHECK(loop.frames() <= size_t(20 * 48000));
  CHECK(loop.frames() > size_t(20 * 48000) - r.repeats);
  CHECK(r.crossfade == 24000);

  // Every seam: each repetition's start, and the wrap from the file's end.
  std::vector<double> body_flux;
  for (size_t at = 30000; at + 30000 < r.period; at += 9973) body_flux.push_back(flux(loop, at));
  const double typical_flux = *std::max_element(body_flux.begin(), body_flux.end());
  for (size_t seam : {size_t(0), r.period, 2 * r.period}) {
    CAPTURE(seam);
    const size_t last = (seam + loop.frames() - 1) % loop.frames();
    CHECK(max_jump(loop, last, last + 1) <= body_jump);
    CHECK(flux(loop, seam) <= typical_flux);
  }
}

TEST_CASE("without a clip the loop is one body, and the seam search finds a periodic signal's period",
          "[audio][loop]") {
  // A 100 Hz sine: any period of a whole number of cycles is a perfect seam.
  AudioBuffer source = testing::sine(100, 3.0, 48000, 0.5);
  LoopResult r;
  AudioBuffer loop = make_loop(source, std::nullopt, r);
  CHECK(r.repeats == 1);
  CHECK(loop.frames() == r.period);
  CHECK(r.period % 480 == Approx(0).margin(4));
  CHECK(r.similarity > 0.999);
  CHECK(max_jump(loop, loop.frames() - 1, loop.frames()) <= max_jump(source, 0, source.frames() - 1) * 1.01);
  LoudnessMeasurement a = measure_loudness(source), b = measure_loudness(loop);
  CHECK(*b.integrated_lufs == Approx(*a.integrated_lufs).margin(0.2));  // an equal-power crossfade of like with like
}

TEST_CASE("a loop shorter than its source is cut from it, still seamless", "[audio][loop]") {
  AudioBuffer source = bed(6.0);
  LoopResult r;
  AudioBuffer loop = make_loop(source, size_t(2 * 48000), r);
  CHECK(r.repeats == 1);
  CHECK(loop.frames() == size_t(2 * 48000));
  CHECK(max_jump(loop, loop.frames() - 1, loop.frames()) <= max_jump(source, 1, source.frames() - 2));
  CHECK_THROWS_AS(make_loop(AudioBuffer::silence(3, 1, 48000), std::nullopt, r), foley::Error);
}

TEST_CASE("the DC guard removes an offset and subsonic drift but keeps the audible band", "[audio][highpass]") {
  AudioBuffer b = testing::sine(1000, 2.0, 48000, 0.25);
  AudioBuffer drift = testing::sine(2, 2.0, 48000, 0.2);
  for (size_t f = 0; f < b.frames(); ++f) b.samples[f] += -0.55f + drift.samples[f];
  remove_dc(b, 20.0);
  double mean = 0.0;
  for (float s : b.samples) mean += s;
  mean /= double(b.frames());
  CHECK(std::fabs(mean) < 1e-3);
  // The 1 kHz tone stays at its level; the 2 Hz drift is down by > 40 dB.
  CHECK(testing::estimate_frequency(b) == Approx(1000).epsilon(0.01));
  double peak = 0.0;
  for (size_t f = 24000; f < b.frames(); ++f) peak = std::max(peak, double(std::fabs(b.samples[f])));
  CHECK(peak == Approx(0.25).margin(0.01));
  AudioBuffer untouched = testing::sine(1000, 0.1, 48000);
  AudioBuffer copy = untouched;
  remove_dc(copy, 0.0);
  CHECK(copy.samples == untouched.samples);
}

TEST_CASE("the limiter's gain is down before a peak arrives and wraps around a loop", "[audio][limiter]") {
  AudioBuffer b = testing::sine(1000, 1.0, 48000, 0.1);
  b.at(24000, 0) = 1.0f;
  const float before = b.at(24000 - 120, 0);
  LimiterResult r = limit_true_peak(b, -6.0);
  CHECK(r.max_reduction_db > 5.0);
  CHECK(measure_loudness(b).true_peak_dbtp <= -6.0 + 0.1);
  // The gain starts falling a lookahead (5 ms = 240 frames) before the click.
  CHECK(std::fabs(b.at(24000 - 120, 0)) < std::fabs(before));
  CHECK(b.at(1000, 0) == testing::sine(1000, 1.0, 48000, 0.1).at(1000, 0));

  // A peak in the first frames of a loop: the gain is already down at its end.
  AudioBuffer loop = testing::sine(1000, 1.0, 48000, 0.1);
  loop.at(10, 0) = 1.0f;
  limit_true_peak(loop, -6.0, /*circular=*/true);
  const float last = loop.at(loop.frames() - 20, 0);
  CHECK(std::fabs(last) < std::fabs(testing::sine(1000, 1.0, 48000, 0.1).at(loop.frames() - 20, 0)) - 1e-4);
}
