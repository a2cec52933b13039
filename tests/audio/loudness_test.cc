#include <catch2/catch.hpp>
#include <cmath>

#include "audio/gain.h"
#include "audio/loudness.h"
#include "test_signals.h"

using namespace foley::audio;

TEST_CASE("a 1 kHz sine measures as BS.1770 defines it", "[audio][loudness]") {
  // BS.1770: a 0 dBFS 1 kHz sine in one channel reads -3.01 LUFS.
  LoudnessMeasurement m = measure_loudness(testing::sine(1000, 3.0, 48000, 0.5));
  REQUIRE(m.integrated_lufs);
  CHECK(*m.integrated_lufs == Approx(-3.01 - 6.02).margin(0.1));
  CHECK(m.sample_peak_dbfs == Approx(-6.02).margin(0.01));
  CHECK(m.true_peak_dbtp >= m.sample_peak_dbfs);
  CHECK(m.true_peak_dbtp == Approx(-6.02).margin(0.1));
}

TEST_CASE("loudness normalisation lands within 0.5 LU of the target", "[audio][loudness]") {
  for (double target : {-23.0, -16.0, -30.0}) {
    CAPTURE(target);
    AudioBuffer b = testing::noise(3.0, 44100, 0.05, 2);
    NormalizeResult r = normalize_loudness(b, target);
    CHECK_FALSE(r.peak_limited);
    CHECK(r.note.empty());
    LoudnessMeasurement after = measure_loudness(b);
    REQUIRE(after.integrated_lufs);
    CHECK(*after.integrated_lufs == Approx(target).margin(0.5));
    CHECK(r.gain_db == Approx(target - *r.before.integrated_lufs));
  }
}

TEST_CASE("the peak guard limits the gain instead of clipping", "[audio][loudness]") {
  // Quiet noise with a few full-scale clicks: reaching -8 LUFS would need far
  // more gain than the clicks' peak allows.
  AudioBuffer b = testing::noise(3.0, 48000, 0.01);
  for (size_t f = 1000; f < b.frames(); f += 30000) b.at(f, 0) = 0.9f;
  NormalizeResult r = normalize_loudness(b, -8.0, -1.0);
  CHECK(r.peak_limited);
  CHECK_THAT(r.note, Catch::Contains("-8.0 LUFS") && Catch::Contains("dBTP"));
  LoudnessMeasurement after = measure_loudness(b);
  CHECK(after.true_peak_dbtp <= -1.0 + 0.05);
  CHECK(after.true_peak_dbtp == Approx(-1.0).margin(0.1));
  CHECK(sample_peak(b) < 1.0);
  REQUIRE(after.integrated_lufs);
  CHECK(*after.integrated_lufs < -8.0 - 1.0);
}

TEST_CASE("silence is measured as silent and left alone", "[audio][loudness]") {
  AudioBuffer b = AudioBuffer::silence(48000, 2, 48000);
  NormalizeResult r = normalize_loudness(b, -23.0);
  CHECK_FALSE(r.before.integrated_lufs);
  CHECK(std::isinf(r.before.sample_peak_dbfs));
  CHECK(r.gain_db == 0.0);
  CHECK_FALSE(r.note.empty());
  CHECK(sample_peak(b) == 0.0);
}

TEST_CASE("clips shorter than a gating block still get a loudness", "[audio][loudness]") {
  AudioBuffer click = testing::sine(1000, 0.1, 48000, 0.5);
  LoudnessMeasurement m = measure_loudness(click);
  REQUIRE(m.integrated_lufs);
  // 100 ms of the sine inside a 400 ms block: a quarter of the energy, -6 dB.
  CHECK(*m.integrated_lufs == Approx(-9.03 - 6.02).margin(0.3));
  normalize_loudness(click, -20.0);
  CHECK(*measure_loudness(click).integrated_lufs == Approx(-20.0).margin(0.5));
}
