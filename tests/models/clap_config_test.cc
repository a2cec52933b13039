// ClapAudioConfig and ClapFeatureExtractor read as transformers reads them:
// class defaults for absent keys, the composite projection settings winning,
// and an error naming the file and key for what foley does not implement.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <limits>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"
#include "golden_util.h"
#include "models/clap/clap_audio_config.h"
#include "models/clap/clap_feature_extractor.h"
#include "models/clap/clap_text_config.h"

namespace foley::models {
namespace {

namespace fs = std::filesystem;

fs::path write_json(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("foley-clap-config-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_file_atomic(dir / name, text);
  return dir / name;
}

TEST_CASE("The official AudioLDM 2 CLAP config loads HTSAT-base without fusion", "[clap][config]") {
  auto c = ClapAudioConfig::load(testing::source_dir() / "tests/fixtures/configs/audioldm2/text_encoder/config.json");
  CHECK(c.depths == std::vector<int64_t>{2, 2, 12, 2});
  CHECK(c.num_attention_heads == std::vector<int64_t>{4, 8, 16, 32});
  CHECK(c.patch_embeds_hidden_size == 128);
  CHECK(c.hidden_size == 1024);
  CHECK(c.projection_dim == 512);
  CHECK_FALSE(c.enable_fusion);
  CHECK(c.freq_ratio() == 4);
}

TEST_CASE("In a ClapModel config the composite projection settings override the branches'", "[clap][config]") {
  // As ClapConfig.__init__: text_config/audio_config projection_dim 7 become the composite default 512.
  fs::path p = write_json("composite.json",
                          R"({"model_type": "clap", "text_config": {"projection_dim": 7, "projection_hidden_act": "gelu"},
                              "audio_config": {"projection_dim": 7, "depths": [2, 2, 6, 2]}})");
  CHECK(ClapAudioConfig::load(p).projection_dim == 512);
  CHECK(ClapTextConfig::load(p).projection_dim == 512);
  CHECK(ClapTextConfig::load(p).projection_hidden_act == Activation::kRelu);
  // A bare ClapAudioConfig keeps its own; absent keys take ClapAudioConfig's defaults.
  fs::path bare = write_json("bare.json", R"({"projection_dim": 7, "patch_stride": 4})");
  auto c = ClapAudioConfig::load(bare);
  CHECK(c.projection_dim == 7);
  CHECK(c.patch_embeds_hidden_size == 96);
  CHECK(c.hidden_size == 768);
  CHECK(c.patch_stride[0] == 4);
  CHECK(c.patch_stride[1] == 4);
}

TEST_CASE("Audio config keys foley does not implement are errors naming the key", "[clap][config]") {
  auto fails = [](const std::string& json, const std::string& key) {
    fs::path p = write_json("bad.json", json);
    CHECK_THROWS_WITH(ClapAudioConfig::load(p), Catch::Contains(key) && Catch::Contains("bad.json"));
  };
  fails(R"({"enable_fusion": true, "fusion_type": "channel_map"})", "fusion_type");
  fails(R"({"flatten_patch_embeds": false})", "flatten_patch_embeds");
  fails(R"({"hidden_size": 512})", "hidden_size");
  fails(R"({"depths": [2, 2], "num_attention_heads": [4, 8, 16]})", "num_attention_heads");
  fails(R"({"patch_embed_input_channels": 4})", "patch_embed_input_channels");
  fails(R"({"hidden_act": "swish_plus"})", "hidden_act");
  fails(R"({"spec_size": 100})", "spec_size");
}

TEST_CASE("ClapFeatureExtractor config: defaults, recomputed keys and refused modes", "[clap][config]") {
  auto fe = ClapFeatureExtractor::load(write_json("empty.json", "{}"));
  CHECK(fe.truncation == "fusion");
  CHECK(fe.padding == "repeatpad");
  CHECK(fe.nb_max_samples() == 480000);
  CHECK(fe.frequency_max == 14000.0);
  // nb_max_samples and nb_frequency_bins in the file change nothing (transformers recomputes them).
  auto fe2 = ClapFeatureExtractor::load(write_json("derived.json", R"({"max_length_s": 2, "nb_max_samples": 7,
                                                                        "nb_frequency_bins": 3, "top_db": 80})"));
  CHECK(fe2.nb_max_samples() == 96000);
  auto fails = [](const std::string& json, const std::string& key) {
    fs::path p = write_json("bad_fe.json", json);
    CHECK_THROWS_WITH(ClapFeatureExtractor::load(p), Catch::Contains(key) && Catch::Contains("bad_fe.json"));
  };
  fails(R"({"truncation": "head"})", "truncation");
  fails(R"({"padding": "mirror"})", "padding");
  fails(R"({"fft_window_size": 1000})", "fft_window_size");
  fails(R"({"truncation": "fusion", "feature_size": 80})", "feature_size");
  fails(R"({"feature_extractor_type": "WhisperFeatureExtractor"})", "feature_extractor_type");
  CHECK_THROWS_WITH(fe.extract({}), Catch::Contains("empty"));
  CHECK_THROWS_WITH(fe.extract({0.0f, std::numeric_limits<float>::infinity()}), Catch::Contains("non-finite"));
}

}  // namespace
}  // namespace foley::models
