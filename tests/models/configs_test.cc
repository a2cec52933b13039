#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "models/clap/clap_text_config.h"
#include "models/config_json.h"
#include "models/gpt2/gpt2_config.h"
#include "models/audioldm2/pipeline/model_index.h"
#include "models/audioldm2/projection_config.h"
#include "models/audioldm2/vae/vae_config.h"
#include "models/t5/t5_config.h"
#include "models/audioldm2/pipeline/model_info.h"
#include "golden_util.h"

using namespace foley::models;
namespace fet = foley::models::testing;

namespace {

std::filesystem::path official(const std::string& variant) { return fet::source_dir() / "tests/fixtures/configs" / variant; }

}  // namespace

TEST_CASE("official configs of audioldm2, -large and -music load with the reference values") {
  for (const char* variant : {"audioldm2", "audioldm2-large", "audioldm2-music"}) {
    INFO(variant);
    auto dir = official(variant);
    auto clap = ClapTextConfig::load(dir / "text_encoder/config.json");
    CHECK(clap.hidden_size == 768);
    CHECK(clap.num_hidden_layers == 12);
    CHECK(clap.max_position_embeddings == 514);
    CHECK(clap.projection_dim == 512);
    CHECK(clap.hidden_act == Activation::kGelu);
    CHECK(clap.projection_hidden_act == Activation::kRelu);
    auto t5 = T5Config::load(dir / "text_encoder_2/config.json");
    CHECK(t5.d_model == 1024);
    CHECK(t5.num_layers == 24);
    CHECK(t5.num_heads == 16);
    CHECK(t5.d_ff == 2816);
    CHECK(t5.is_gated_act);
    CHECK(t5.dense_act_fn == Activation::kGeluNew);
    auto gpt2 = GPT2Config::load(dir / "language_model/config.json");
    CHECK(gpt2.n_embd == 768);
    CHECK(gpt2.n_layer == 12);
    CHECK(gpt2.max_new_tokens == 8);
    auto proj = AudioLDM2ProjectionConfig::load(dir / "projection_model/config.json");
    CHECK(proj.text_encoder_dim == 512);
    CHECK(proj.text_encoder_1_dim == 1024);
    CHECK(proj.langauge_model_dim == 768);
    auto index = ModelIndex::load(dir);
    CHECK(index.class_name == "AudioLDM2Pipeline");
    CHECK(index.components.at("language_model").class_name == "GPT2Model");
    CHECK(index.components.at("text_encoder_2").class_name == "T5EncoderModel");
  }
}

TEST_CASE("parameter counts from the official configs equal param_counts.json") {
  // param_counts.json was computed by tools/golden with transformers/diffusers
  // instantiating each full-size component (sum of numel over parameters()).
  auto counts = nlohmann::json::parse(foley::read_file(fet::source_dir() / "tests/fixtures/configs/param_counts.json"));
  for (const char* variant : {"audioldm2", "audioldm2-large", "audioldm2-music"}) {
    INFO(variant);
    auto dir = official(variant);
    const auto& v = counts.at("variants").at(variant);
    CHECK(ClapTextConfig::load(dir / "text_encoder/config.json").parameter_count() ==
          v.at("text_encoder.text_branch").at("parameters").get<int64_t>());
    CHECK(T5Config::load(dir / "text_encoder_2/config.json").parameter_count() ==
          v.at("text_encoder_2").at("parameters").get<int64_t>());
    CHECK(GPT2Config::load(dir / "language_model/config.json").parameter_count() ==
          v.at("language_model").at("parameters").get<int64_t>());
    CHECK(AudioLDM2ProjectionConfig::load(dir / "projection_model/config.json").parameter_count() ==
          v.at("projection_model").at("parameters").get<int64_t>());
  }
}

TEST_CASE("config parameter counts equal the tiny models' safetensors") {
  // The tiny files hold exactly the parameters (plus, for CLAP, the audio
  // branch and for T5 nothing else), so the header sum checks the formulas
  // on a second, very different set of sizes.
  ModelInfo info = inspect_model(fet::model_dir("tiny-audioldm2"));
  int checked = 0;
  for (const auto& c : info.components) {
    if (c.name == "language_model" || c.name == "projection_model" || c.name == "text_encoder_2") {
      INFO(c.name);
      CHECK(c.has_weights);
      CHECK(c.config_parameters == c.stored_elements);
      ++checked;
    }
  }
  CHECK(checked == 3);
}

TEST_CASE("config errors name the file and the key") {
  auto dir = std::filesystem::temp_directory_path() / "foley-engine-config-test";
  std::filesystem::remove_all(dir);
  foley::write_file_atomic(dir / "t5.json", R"({"d_model": -4})");
  CHECK_THROWS_WITH(T5Config::load(dir / "t5.json"), Catch::Contains("t5.json") && Catch::Contains("d_model"));
  foley::write_file_atomic(dir / "t5.json", R"({"feed_forward_proj": "gated-mish"})");
  CHECK_THROWS_WITH(T5Config::load(dir / "t5.json"), Catch::Contains("feed_forward_proj"));
  foley::write_file_atomic(dir / "gpt2.json", R"({"n_embd": 10, "n_head": 3})");
  CHECK_THROWS_WITH(GPT2Config::load(dir / "gpt2.json"), Catch::Contains("n_head"));
  foley::write_file_atomic(dir / "gpt2.json", R"({"n_layer": "twelve"})");
  CHECK_THROWS_WITH(GPT2Config::load(dir / "gpt2.json"), Catch::Contains("expected an integer"));
  foley::write_file_atomic(dir / "proj.json", R"({"text_encoder_dim": 512})");
  CHECK_THROWS_WITH(AudioLDM2ProjectionConfig::load(dir / "proj.json"), Catch::Contains("text_encoder_1_dim"));
  foley::write_file_atomic(dir / "clap.json", R"({"text_config": {"position_embedding_type": "relative_key"}})");
  CHECK_THROWS_WITH(ClapTextConfig::load(dir / "clap.json"), Catch::Contains("position_embedding_type"));
  foley::write_file_atomic(dir / "bad.json", "{");
  CHECK_THROWS_WITH(GPT2Config::load(dir / "bad.json"), Catch::Contains("invalid JSON"));
  CHECK_THROWS_WITH(GPT2Config::load(dir / "absent.json"), Catch::Contains("missing"));
  CHECK_THROWS_WITH(ModelIndex::load(dir), Catch::Contains("model_index.json"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("describe_model lists components, counts and memory") {
  std::string tiny = describe_model(fet::model_dir("tiny-audioldm2"));
  CHECK_THAT(tiny, Catch::Contains("AudioLDM2Pipeline"));
  CHECK_THAT(tiny, Catch::Contains("language_model: GPT2Model"));
  CHECK_THAT(tiny, Catch::Contains("n_embd=40"));
  CHECK_THAT(tiny, Catch::Contains("F32"));
  CHECK_THAT(tiny, Catch::Contains("in memory as f32"));
  // A configs-only folder still reports the full-size counts.
  std::string full = describe_model(official("audioldm2"));
  CHECK_THAT(full, Catch::Contains("(341231104)"));
  CHECK_THAT(full, Catch::Contains("(124439808)"));
  CHECK_THAT(full, Catch::Contains("weights: none in the folder"));
}

TEST_CASE("config JSON accepts Python's NaN, Infinity and -Infinity, outside strings only") {
  // As json.dumps writes them (diffusers' save_config: "lambda_min_clipped": -Infinity).
  const std::string text =
      R"({"a": NaN, "b": Infinity, "c": -Infinity, "l": [1, -Infinity], "s": "NaN \"-Infinity\" Infinity"})";
  const nlohmann::json j = parse_python_json(text);
  CHECK(std::isnan(j.at("a").get<double>()));
  CHECK(j.at("b").get<double>() == std::numeric_limits<double>::infinity());
  CHECK(j.at("c").get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(j.at("l").at(1).get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(j.at("s").get<std::string>() == "NaN \"-Infinity\" Infinity");
  CHECK_THROWS(parse_python_json(R"({"a": nan})"));
  CHECK_THROWS(parse_python_json(R"({"a": -NaN})"));
}

TEST_CASE("a non-finite value in a component config is refused, spelled as in the file") {
  nlohmann::json vae = read_json_object(fet::model_dir("tiny-audioldm2") / "vae/config.json");
  vae["scaling_factor"] = parse_python_json("[NaN]").at(0);
  CHECK_THROWS_WITH(VaeConfig::from_json(vae, "vae/config.json"),
                    Catch::Contains("vae/config.json: scaling_factor = NaN"));
}

TEST_CASE("a VAE decoder block foley does not implement is refused, naming file and key") {
  nlohmann::json vae = read_json_object(fet::model_dir("tiny-audioldm2") / "vae/config.json");
  CHECK_NOTHROW(VaeConfig::from_json(vae, "vae/config.json"));
  vae["up_block_types"] = {"UpDecoderBlock2D", "AttnUpDecoderBlock2D", "UpDecoderBlock2D"};
  CHECK_THROWS_WITH(VaeConfig::from_json(vae, "vae/config.json"), Catch::Contains("vae/config.json: up_block_types"));
}
