// open_clap_scorer on the tiny fixtures: scores equal transformers' cosine
// similarities, the ranking of AudioLDM 2 takes equals diffusers'
// score_waveforms order, files are down-mixed and resampled, errors name
// what is wrong.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "audio/audio_writer.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "engines/ranking/take_scorer.h"
#include "models/clap_waveforms.h"
#include "models/golden_util.h"
#include "tensor/safetensors.h"

namespace foley::engines {
namespace {

namespace fs = std::filesystem;
namespace mt = foley::models::testing;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("foley-clap-scorer-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

const nlohmann::json& index() {
  static nlohmann::json j = nlohmann::json::parse(read_file(mt::golden_dir("clap") / "index.json"));
  return j;
}

// Writes a golden waveform as a 32-bit float WAV (lossless), `channels` copies.
fs::path write_take(const fs::path& dir, const std::string& name, int channels = 1) {
  const auto& p = mt::clap_waveform_params(index(), name);
  std::vector<float> mono = mt::clap_waveform(p);
  audio::AudioBuffer b;
  b.channels = channels;
  b.sample_rate = p.at("rate").get<int>();
  for (float s : mono)
    for (int c = 0; c < channels; ++c) b.samples.push_back(s);
  audio::WriteOptions o;
  o.bit_depth = 32;
  fs::path out = dir / (name + (channels > 1 ? ".stereo" : "") + ".wav");
  audio::write_audio(out, b, o);
  return out;
}

std::vector<size_t> descending_order(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

TEST_CASE("CLAP scores of a standalone CLAP folder equal transformers' cosine similarities", "[clap][ranking]") {
  TempDir tmp;
  auto golden = tensor::SafetensorsFile::open(mt::golden_dir("clap") / "clap.safetensors");
  for (std::string model : {"unfused", "fused"}) {
    INFO(model);
    auto scorer = open_clap_scorer(mt::model_dir("tiny-clap/" + model), tensor::Placement::cpu());
    std::vector<fs::path> files;
    std::vector<std::string> waves;
    for (const auto& w : index().at("waveforms"))
      if (w.at("rate").get<int>() == 48000) {
        waves.push_back(w.at("name").get<std::string>());
        files.push_back(write_take(tmp.path, waves.back()));
      }
    std::vector<float> expected = golden.get(model + ".scores").to_vector_f32();
    const auto& prompts = index().at("prompts");
    for (size_t p = 0; p < prompts.size(); ++p) {
      std::vector<double> s = scorer->score(prompts[p].get<std::string>(), files);
      REQUIRE(s.size() == files.size());
      for (size_t i = 0; i < s.size(); ++i) CHECK(std::fabs(s[i] - expected[p * files.size() + i]) < 1e-6);
    }
  }
}

TEST_CASE("AudioLDM 2 takes rank in diffusers' score_waveforms order", "[clap][ranking]") {
  TempDir tmp;
  const auto& a = index().at("audioldm2");
  std::vector<fs::path> files;
  for (const auto& name : a.at("takes")) files.push_back(write_take(tmp.path, name.get<std::string>()));
  auto scorer = open_clap_scorer(mt::model_dir("tiny-audioldm2"), tensor::Placement::cpu());
  std::vector<double> scores = scorer->score(a.at("prompt").get<std::string>(), files);
  std::vector<size_t> order = descending_order(scores);
  CHECK(order == a.at("order").get<std::vector<size_t>>());
  // diffusers resamples with python-soxr, foley with libsoxr (both HQ): the cosines agree to ~1.5e-7.
  auto golden = tensor::SafetensorsFile::open(mt::golden_dir("clap") / "clap.safetensors");
  std::vector<float> cosine = golden.get("audioldm2.cosine").to_vector_f32();
  for (size_t i = 0; i < scores.size(); ++i) CHECK(std::fabs(scores[i] - cosine[i]) < 1e-6);
}

TEST_CASE("A stereo take scores as its mono down-mix; a take that is not audio is named", "[clap][ranking]") {
  TempDir tmp;
  auto scorer = open_clap_scorer(mt::model_dir("tiny-clap/unfused"), tensor::Placement::cpu());
  fs::path mono = write_take(tmp.path, "short"), stereo = write_take(tmp.path, "short", 2);
  std::vector<double> s = scorer->score("thunder", {mono, stereo});
  CHECK(std::fabs(s[0] - s[1]) < 1e-7);

  fs::path bad = tmp.path / "not-audio.wav";
  write_file_atomic(bad, "this is not a wav file");
  try {
    scorer->score("thunder", {mono, bad});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("not-audio.wav") != std::string::npos);
  }
}

TEST_CASE("A take with non-finite samples is an error naming it, never a NaN score", "[clap][ranking]") {
  TempDir tmp;
  auto scorer = open_clap_scorer(mt::model_dir("tiny-clap/unfused"), tensor::Placement::cpu());
  audio::AudioBuffer b = audio::AudioBuffer::silence(4800, 1, 48000);
  b.samples[100] = std::numeric_limits<float>::quiet_NaN();
  audio::WriteOptions o;
  o.bit_depth = 32;
  audio::write_audio(tmp.path / "nan.wav", b, o);
  CHECK_THROWS_WITH(scorer->score("thunder", {tmp.path / "nan.wav"}),
                    Catch::Contains("nan.wav") && Catch::Contains("non-finite"));
}

TEST_CASE("The CLAP fingerprint is stable per model and differs between models", "[clap][ranking]") {
  auto a = open_clap_scorer(mt::model_dir("tiny-clap/unfused"), tensor::Placement::cpu());
  auto b = open_clap_scorer(mt::model_dir("tiny-clap/unfused"), tensor::Placement::cpu());
  auto c = open_clap_scorer(mt::model_dir("tiny-clap/fused"), tensor::Placement::cpu());
  CHECK(a->fingerprint().size() == 32);
  CHECK(a->fingerprint() == b->fingerprint());
  CHECK(a->fingerprint() != c->fingerprint());
}

TEST_CASE("open_clap_scorer names what is missing", "[clap][ranking]") {
  TempDir tmp;
  CHECK_THROWS_WITH(open_clap_scorer(tmp.path / "nope", tensor::Placement::cpu()),
                    Catch::Contains("nope") && Catch::Contains("no such folder"));
  CHECK_THROWS_WITH(open_clap_scorer(tmp.path, tensor::Placement::cpu()), Catch::Contains("config.json is missing"));
}

}  // namespace
}  // namespace foley::engines
