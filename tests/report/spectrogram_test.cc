#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>

#include "audio/audio_buffer.h"
#include "report/png_writer.h"
#include "report/spectrogram.h"
#include "report/waveform.h"
#include "report/png_decode.h"

namespace fs = std::filesystem;
using foley::audio::AudioBuffer;
using namespace foley::report;

namespace {

// A linear sine sweep from f0 to f1 Hz over `seconds`: at time t its
// frequency is f0 + (f1 - f0) t / seconds.
AudioBuffer sweep(double f0, double f1, double seconds, int rate, int channels = 1) {
  AudioBuffer b = AudioBuffer::silence(static_cast<size_t>(seconds * rate), channels, rate);
  for (size_t i = 0; i < b.frames(); ++i) {
    double t = static_cast<double>(i) / rate;
    double phase = 2.0 * std::numbers::pi * (f0 * t + (f1 - f0) * t * t / (2.0 * seconds));
    for (int c = 0; c < channels; ++c) b.at(i, c) = static_cast<float>(0.5 * std::sin(phase));
  }
  return b;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "foley-report-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

testing::DecodedPng round_trip(const RgbImage& image, const TempDir& dir, const char* name) {
  write_png(dir.path / name, image);
  return testing::decode_png(dir.path / name);
}

}  // namespace

TEST_CASE("the spectrogram of a sine sweep shows its ridge where the frequency is") {
  const int rate = 16000;
  const double seconds = 4.0, f0 = 200.0, f1 = 4000.0;
  SpectrogramOptions o;  // 600 x 160: a row is 50 Hz at 16 kHz
  TempDir dir;
  testing::DecodedPng png = round_trip(draw_spectrogram(sweep(f0, f1, seconds, rate, 2), o), dir, "sweep.png");
  REQUIRE(png.width == o.width);
  REQUIRE(png.height == o.height);

  int checked = 0;
  // The first and last half frame of columns see the sweep's start and end.
  for (int x = 10; x < o.width - 10; ++x) {
    const double t = (x + 0.5) / o.width * seconds;
    const double f = f0 + (f1 - f0) * t / seconds;
    int brightest = 0;
    for (int y = 1; y < png.height; ++y)
      if (png.brightness(x, y) > png.brightness(x, brightest)) brightest = y;
    const int expected = row_of_frequency(f, rate, o);
    INFO("column " << x << " at " << t << " s: " << f << " Hz is row " << expected << ", brightest row " << brightest
                   << " (" << row_center_frequency(brightest, rate, o) << " Hz)");
    CHECK(std::abs(brightest - expected) <= 1);
    // The ridge stands out: near the top of the colour map, and 1 kHz away is
    // at least 60 dB down (dark).
    CHECK(png.brightness(x, brightest) >= colormap_brightness(0.95));
    const int far = row_of_frequency(f > 2000.0 ? f - 1000.0 : f + 1000.0, rate, o);
    CHECK(png.brightness(x, far) <= colormap_brightness(0.35));
    ++checked;
  }
  CHECK(checked == o.width - 20);
}

TEST_CASE("row_of_frequency and row_center_frequency agree") {
  SpectrogramOptions o;
  for (int row = 0; row < o.height; ++row) CHECK(row_of_frequency(row_center_frequency(row, 48000, o), 48000, o) == row);
  CHECK(row_of_frequency(0.0, 48000, o) == o.height - 1);     // bottom
  CHECK(row_of_frequency(24000.0, 48000, o) == 0);            // top
}

TEST_CASE("silence draws a black spectrogram") {
  TempDir dir;
  testing::DecodedPng png = round_trip(draw_spectrogram(AudioBuffer::silence(8000, 1, 16000)), dir, "silence.png");
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x) REQUIRE(png.brightness(x, y) == 0);
}

TEST_CASE("a spectrogram needs a sane size") {
  SpectrogramOptions o;
  o.fft_size = 1023;
  CHECK_THROWS(draw_spectrogram(AudioBuffer::silence(100, 1, 16000), o));
  o = SpectrogramOptions{};
  o.width = 0;
  CHECK_THROWS(draw_spectrogram(AudioBuffer::silence(100, 1, 16000), o));
}

TEST_CASE("the waveform reaches the edges at full scale and stays on the centre line in silence") {
  TempDir dir;
  WaveformOptions o;
  AudioBuffer b = AudioBuffer::silence(16000, 1, 16000);
  // First half: a full-scale square wave; second half: silence.
  for (size_t i = 0; i < b.frames() / 2; ++i) b.at(i, 0) = (i / 20) % 2 ? 1.0f : -1.0f;
  testing::DecodedPng png = round_trip(draw_waveform(b, o), dir, "wave.png");
  REQUIRE(png.width == o.width);
  REQUIRE(png.height == o.height);
  const int loud = o.width / 4, quiet = o.width * 3 / 4;
  const int ground = png.brightness(quiet, 0);
  CHECK(ground > 600);  // a light ground
  CHECK(png.brightness(quiet, o.height - 1) == ground);
  CHECK(png.brightness(quiet, o.height / 2) < ground);  // the centre line
  CHECK(png.brightness(loud, 0) < ground);
  CHECK(png.brightness(loud, o.height - 1) < ground);
}
