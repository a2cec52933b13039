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
    NormalizeResult r = normalize_loudness(b, LoudnessTarget{target});
    CHECK_FALSE(r.missed);
    CHECK(r.note.empty());
    LoudnessMeasurement after = measure_loudness(b);
    REQUIRE(after.integrated_lufs);
    CHECK(*after.integrated_lufs == Approx(target).margin(0.5));
    CHECK(after.true_peak_dbtp <= -1.0);
  }
}

TEST_CASE("the true-peak limiter reaches a target the peaks alone would forbid", "[audio][loudness]") {
  // Quiet noise with a few full-scale clicks: reaching -14 LUFS needs ~30 dB
  // of gain, far more than the clicks' peak allows without a limiter.
  AudioBuffer b = testing::noise(3.0, 48000, 0.01);
  for (size_t f = 1000; f < b.frames(); f += 30000) b.at(f, 0) = 0.9f;
  NormalizeResult r = normalize_loudness(b, LoudnessTarget{-14.0, LoudnessMeasure::kIntegrated, -1.0});
  CHECK_FALSE(r.missed);
  CHECK(r.note.empty());
  CHECK(r.limiter_reduction_db > 20.0);
  LoudnessMeasurement after = measure_loudness(b);
  REQUIRE(after.integrated_lufs);
  CHECK(*after.integrated_lufs == Approx(-14.0).margin(0.5));
  CHECK(after.true_peak_dbtp <= -1.0);
  CHECK(sample_peak(b) < 1.0);
}

TEST_CASE("a target past what the ceiling allows is missed, said, and never clips", "[audio][loudness]") {
  // A sine peaks every cycle: with its true peak at -2 dBTP it cannot be
  // louder than about -5 LUFS, however it is limited.
  AudioBuffer b = testing::sine(1000, 2.0, 48000, 0.5);
  NormalizeResult r = normalize_loudness(b, LoudnessTarget{-1.0, LoudnessMeasure::kIntegrated, -2.0});
  CHECK(r.missed);
  CHECK_THAT(r.note, Catch::Contains("-1.0 LUFS") && Catch::Contains("dBTP"));
  LoudnessMeasurement after = measure_loudness(b);
  CHECK(after.true_peak_dbtp <= -2.0);
  REQUIRE(after.integrated_lufs);
  CHECK(*after.integrated_lufs < -3.0);
}

TEST_CASE("momentary-max targets the loudest 400 ms of a one-shot", "[audio][loudness]") {
  // A 150 ms burst in 2 s: integrated loudness and the momentary maximum
  // differ, and only the latter is set.
  AudioBuffer b = AudioBuffer::silence(96000, 1, 48000);
  AudioBuffer burst = testing::noise(0.15, 48000, 0.1);
  std::copy(burst.samples.begin(), burst.samples.end(), b.samples.begin() + 24000);
  normalize_loudness(b, LoudnessTarget{-18.0, LoudnessMeasure::kMomentaryMax, -1.0});
  LoudnessMeasurement m = measure_loudness(b);
  REQUIRE(m.momentary_max_lufs);
  CHECK(*m.momentary_max_lufs == Approx(-18.0).margin(0.1));
  REQUIRE(m.integrated_lufs);
  CHECK(std::fabs(*m.integrated_lufs - *m.momentary_max_lufs) > 0.5);
  CHECK(parse_loudness_measure("momentary-max") == LoudnessMeasure::kMomentaryMax);
  CHECK_FALSE(parse_loudness_measure("peak"));
}

TEST_CASE("loudness range is measured on programme material", "[audio][loudness]") {
  // 10 s at one level, 10 s 10 dB quieter: an LRA near 10 LU.
  AudioBuffer b = testing::noise(20.0, 48000, 0.2);
  for (size_t f = 480000; f < b.frames(); ++f) b.samples[f] *= static_cast<float>(db_to_linear(-10.0));
  LoudnessMeasurement m = measure_loudness(b);
  CHECK(m.loudness_range_lu == Approx(10.0).margin(1.5));
  REQUIRE(m.short_term_max_lufs);
  CHECK(*m.short_term_max_lufs >= *m.integrated_lufs);
}

TEST_CASE("silence is measured as silent and left alone", "[audio][loudness]") {
  AudioBuffer b = AudioBuffer::silence(48000, 2, 48000);
  NormalizeResult r = normalize_loudness(b, LoudnessTarget{-23.0});
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
  normalize_loudness(click, LoudnessTarget{-20.0});
  CHECK(*measure_loudness(click).integrated_lufs == Approx(-20.0).margin(0.5));
}
