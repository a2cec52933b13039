#include <catch2/catch.hpp>
#include <cmath>

#include "audio/channels.h"
#include "audio/fades.h"
#include "audio/gain.h"
#include "audio/length.h"
#include "audio/resample.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;

TEST_CASE("resample 16 kHz to 48 kHz keeps a sine's frequency, level and length", "[audio][resample]") {
  AudioBuffer in = testing::sine(1000, 1.0, 16000, 0.5);
  AudioBuffer out = resample(in, 48000);
  CHECK(out.sample_rate == 48000);
  CHECK(out.channels == 1);
  CHECK(out.frames() == 48000);
  CHECK(testing::estimate_frequency(out) == Approx(1000).margin(1));
  // Away from the edges the amplitude is unchanged.
  float peak = 0.0f;
  for (size_t f = 4800; f < 43200; ++f) peak = std::max(peak, std::fabs(out.at(f, 0)));
  CHECK(peak == Approx(0.5).margin(0.005));
  // And it is really upsampled: samples lie on the 48 kHz sine, not repeated.
  double err = 0.0;
  for (size_t f = 4800; f < 43200; ++f)
    err = std::max(err, std::fabs(out.at(f, 0) - 0.5 * std::sin(2 * M_PI * 1000.0 * f / 48000.0)));
  CHECK(err < 1e-3);
}

TEST_CASE("resample handles stereo and non-integer ratios", "[audio][resample]") {
  AudioBuffer in = testing::sine(440, 0.5, 44100, 0.5, 2);
  AudioBuffer out = resample(in, 48000);
  CHECK(out.channels == 2);
  CHECK(out.frames() == 24000);
  CHECK(testing::estimate_frequency(out) == Approx(440).margin(1));
  CHECK(out.at(12000, 0) == out.at(12000, 1));
  AudioBuffer down = resample(testing::sine(440, 0.3, 48000), 22050);
  CHECK(down.frames() == static_cast<size_t>(std::llround(0.3 * 22050)));
  CHECK(resample(in, 44100).samples == in.samples);
  CHECK_THROWS_AS(resample(in, 0), foley::Error);
}

TEST_CASE("fades zero the first and last frames and leave the middle untouched", "[audio][fades]") {
  AudioBuffer b = AudioBuffer::silence(1000, 2, 1000);
  for (float& s : b.samples) s = 0.8f;
  apply_fades(b, 0.1, 0.2, FadeShape::kLinear);
  for (int c = 0; c < 2; ++c) {
    CHECK(b.at(0, c) == 0.0f);
    CHECK(b.at(999, c) == 0.0f);
  }
  CHECK(b.at(50, 0) == Approx(0.4));   // half way through a 100-frame linear fade-in
  CHECK(b.at(899, 0) == Approx(0.4));  // half way through the 200-frame fade-out
  for (size_t f = 100; f < 800; ++f) REQUIRE(b.at(f, 0) == 0.8f);
  for (size_t f = 1; f < 100; ++f) REQUIRE(b.at(f, 0) > b.at(f - 1, 0));
  for (size_t f = 801; f < 1000; ++f) REQUIRE(b.at(f, 1) < b.at(f - 1, 1));
}

TEST_CASE("equal-power fades follow a quarter sine", "[audio][fades]") {
  AudioBuffer b = AudioBuffer::silence(1000, 1, 1000);
  for (float& s : b.samples) s = 1.0f;
  apply_fades(b, 0.1, 0.1, FadeShape::kEqualPower);
  CHECK(b.at(0, 0) == 0.0f);
  CHECK(b.at(999, 0) == Approx(0.0).margin(1e-6));
  CHECK(b.at(50, 0) == Approx(std::sqrt(0.5)));
  CHECK(b.at(500, 0) == 1.0f);
}

TEST_CASE("fades longer than the audio are clamped to it", "[audio][fades]") {
  AudioBuffer b = AudioBuffer::silence(100, 1, 1000);
  for (float& s : b.samples) s = 1.0f;
  apply_fades(b, 5.0, 0.0);
  CHECK(b.at(0, 0) == 0.0f);
  CHECK(b.at(50, 0) == Approx(0.5));
  CHECK(b.at(99, 0) == Approx(0.99));
  AudioBuffer empty = AudioBuffer::silence(0, 1, 1000);
  apply_fades(empty, 1.0, 1.0);
  CHECK(empty.frames() == 0);
}

TEST_CASE("fit_length trims and pads to exact frame counts", "[audio][length]") {
  AudioBuffer b = testing::noise(1.0, 48000, 0.5, 2);
  AudioBuffer original = b;
  fit_length(b, seconds_to_frames(0.25, 48000));
  CHECK(b.frames() == 12000);
  CHECK(std::equal(b.samples.begin(), b.samples.end(), original.samples.begin()));
  fit_length(b, seconds_to_frames(1.5, 48000));
  CHECK(b.frames() == 72000);
  CHECK(b.at(11999, 1) == original.at(11999, 1));
  for (size_t f = 12000; f < 72000; ++f) REQUIRE((b.at(f, 0) == 0.0f && b.at(f, 1) == 0.0f));
  CHECK(seconds_to_frames(1.0 / 3.0, 44100) == 14700);
  CHECK(seconds_to_frames(-1.0, 44100) == 0);
}

TEST_CASE("channel conversion duplicates mono and averages to mono", "[audio][channels]") {
  AudioBuffer mono = testing::noise(0.1, 8000);
  AudioBuffer stereo = convert_channels(mono, 2);
  REQUIRE(stereo.channels == 2);
  REQUIRE(stereo.frames() == mono.frames());
  for (size_t f = 0; f < mono.frames(); ++f) REQUIRE((stereo.at(f, 0) == mono.at(f, 0) && stereo.at(f, 1) == mono.at(f, 0)));

  AudioBuffer lr = AudioBuffer::silence(3, 2, 8000);
  lr.samples = {1.0f, 0.0f, 0.5f, -0.5f, 0.2f, 0.4f};
  AudioBuffer down = convert_channels(lr, 1);
  REQUIRE(down.channels == 1);
  CHECK(down.samples[0] == Approx(0.5));
  CHECK(down.samples[1] == Approx(0.0));
  CHECK(down.samples[2] == Approx(0.3));

  AudioBuffer six = AudioBuffer::silence(10, 6, 8000);
  CHECK_THROWS_AS(convert_channels(six, 2), foley::Error);
  CHECK(convert_channels(six, 1).channels == 1);
}

TEST_CASE("gain in dB scales samples", "[audio][gain]") {
  AudioBuffer b = testing::sine(100, 0.1, 8000, 0.5);
  apply_gain_db(b, -6.0206);
  CHECK(sample_peak(b) == Approx(0.25).epsilon(0.01));
  CHECK(db_to_linear(20.0) == Approx(10.0));
  CHECK(linear_to_db(0.1) == Approx(-20.0));
  CHECK(std::isinf(linear_to_db(0.0)));
}
