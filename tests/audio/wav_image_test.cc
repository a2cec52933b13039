// The one in-memory WAV writer: byte-reproducible and readable back.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "audio/audio_reader.h"
#include "audio/wav_image.h"
#include "common/atomic_file.h"

using namespace foley;

TEST_CASE("float_wav_image holds exactly the samples and decodes back to them", "[audio]") {
  std::string dir = (std::filesystem::temp_directory_path() / "foley-wav-XXXXXX").string();
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  std::vector<float> samples = {0.0f, 0.5f, -0.25f, 1e-7f, -0.999f, 0.125f, 0.33f};
  std::string image = audio::float_wav_image(samples, 16000);
  // No chunk beyond fmt/fact/data (libsndfile's PEAK chunk carries a timestamp).
  CHECK(image.size() == audio::kFloatWavHeaderBytes + 4 * samples.size());
  CHECK(image.find("PEAK") == std::string::npos);
  CHECK(image == audio::float_wav_image(samples, 16000));

  std::filesystem::path path = std::filesystem::path(dir) / "x.wav";
  write_file_atomic(path, image);
  audio::AudioBuffer decoded = audio::read_audio(path);
  CHECK(decoded.sample_rate == 16000);
  CHECK(decoded.channels == 1);
  REQUIRE(decoded.samples.size() == samples.size());
  for (size_t i = 0; i < samples.size(); ++i) CHECK(decoded.samples[i] == samples[i]);
  CHECK(audio::probe_audio(path).encoding == "float");
  std::filesystem::remove_all(dir);
}
