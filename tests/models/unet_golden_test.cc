// One UNet call per golden pipeline case (base and large layouts; latent lengths 16, 13, 25, 8, 7
// frames, i.e. multiples of 8 and not), and the guided prediction unet.noise_pred.0 built from it.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "common/error.h"
#include "models/audioldm2/unet/unet_2d_condition_model.h"
#include "pipeline_cases.h"
#include "winograd2d_scope.h"
#include "tensor/op_profile.h"
#include "tensor/ops.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;

// The UNet on a golden case's recorded first-call inputs.
Tensor first_call(const AudioLDM2UNet2DConditionModel& unet, const tensor::SafetensorsFile& g) {
  return unet.forward(g.get("unet.input.0"), g.get("unet.timestep.0").item(), g.get("unet.encoder_hidden_states"),
                      g.get("unet.encoder_hidden_states_1"), g.get("unet.encoder_attention_mask_1"));
}

TEST_CASE("UNet reproduces diffusers' first call on every golden case", "[unet]") {
  for (const auto& model : testing::tiny_models()) {
    auto unet = AudioLDM2UNet2DConditionModel::load(testing::model_dir(model) / "unet");
    for (const auto& c : testing::pipeline_cases(model)) {
      INFO(model << " " << c.name);
      auto g = tensor::SafetensorsFile::open(c.file);
      Tensor out = first_call(unet, g);
      Tensor ref = g.get("unet.output.0");
      REQUIRE(out.shape() == ref.shape());
      testing::Error e = testing::compare(out, ref);
      testing::report(model + " " + c.name + " unet.output.0", e);
      // Measured worst over the 12 cases: nmse 4.5e-13, max_abs 1.3e-6 (f32 GEMM/conv summation
      // order). Bounds: ~10x margin.
      CHECK(e.nmse < 5e-12);
      CHECK(e.max_abs < 1.5e-5);

      // Classifier-free guidance as the pipeline applies it: eps_u + g (eps_c - eps_u).
      Tensor guided = out;
      if (c.guidance > 1.0) {
        Tensor u = out.narrow(0, 0, 1), k = out.narrow(0, 1, 1);
        guided = tensor::add(u, tensor::scale(tensor::sub(k, u), c.guidance));
      }
      testing::Error eg = testing::compare(guided, g.get("unet.noise_pred.0"));
      testing::report(model + " " + c.name + " unet.noise_pred.0", eg);
      // Measured worst: nmse 4.8e-12, max_abs 3.6e-6 (guidance 3.5 amplifies the difference).
      CHECK(eg.nmse < 5e-11);
      CHECK(eg.max_abs < 4e-5);
    }
  }
}

TEST_CASE("UNet through the 2-D Winograd convolution reproduces diffusers' first call", "[unet][winograd]") {
  testing::Winograd2dScope winograd;
  REQUIRE(tensor::cpu::winograd2d_wanted(8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 16, 16));
  for (const auto& model : testing::tiny_models()) {
    auto unet = AudioLDM2UNet2DConditionModel::load(testing::model_dir(model) / "unet");
    for (const auto& c : testing::pipeline_cases(model)) {
      INFO(model << " " << c.name);
      auto g = tensor::SafetensorsFile::open(c.file);
      Tensor out = first_call(unet, g);
      testing::Error e = testing::compare(out, g.get("unet.output.0"));
      testing::report(model + " " + c.name + " unet.output.0 (winograd2d)", e);
      // Measured worst over the 12 cases: nmse 3.7e-12, max_abs 4.4e-6 (the default path: 4.5e-13, 1.3e-6).
      // Bounds ~10x.
      CHECK(e.nmse < 4e-11);
      CHECK(e.max_abs < 4e-5);
    }
  }
}

TEST_CASE("UNet loader reads both layouts from their configs", "[unet]") {
  auto base = UNetConfig::load(testing::model_dir("tiny-audioldm2") / "unet/config.json");
  auto large = UNetConfig::load(testing::model_dir("tiny-audioldm2-large") / "unet/config.json");
  CHECK(base.cross_attention_dim.front().size() == 3);
  CHECK(large.cross_attention_dim.front().size() == 4);
  CHECK_FALSE(large.cross_attention_dim.front().back().has_value());
  CHECK(large.transformer_layers_per_block == std::vector<int64_t>(4, 2));
  CHECK(base.attention_heads == std::vector<int64_t>(4, 8));
  CHECK(base.layers_per_block == std::vector<int64_t>(4, 2));
}

TEST_CASE("UNet config refuses layouts it does not implement", "[unet]") {
  nlohmann::json j = nlohmann::json::parse(foley::read_file(testing::model_dir("tiny-audioldm2") / "unet/config.json"));
  j["use_linear_projection"] = true;
  CHECK_THROWS_AS(UNetConfig::from_json(j, "unet/config.json"), foley::Error);
  j["use_linear_projection"] = false;
  j["class_embed_type"] = "timestep";
  CHECK_THROWS_AS(UNetConfig::from_json(j, "unet/config.json"), foley::Error);
}

// tests/fixtures/golden/unet-per-block (tools/golden/make_unet_per_block.py): per-block lists for every setting
// diffusers reads per block, with entries that differ, so reading one block's entry for another fails.
TEST_CASE("UNet with per-block settings reproduces diffusers", "[unet]") {
  for (const std::string layout : {"a", "b"}) {
    INFO("layout " << layout);
    const auto dir = testing::golden_dir("unet-per-block") / layout;
    auto unet = AudioLDM2UNet2DConditionModel::load(dir);
    auto g = tensor::SafetensorsFile::open(dir / "io.safetensors");
    Tensor out = unet.forward(g.get("sample"), g.get("timestep").item(), g.get("encoder_hidden_states"),
                              g.get("encoder_hidden_states_1"), g.get("encoder_attention_mask_1"));
    Tensor ref = g.get("output");
    REQUIRE(out.shape() == ref.shape());
    testing::Error e = testing::compare(out, ref);
    testing::report("unet-per-block " + layout, e);
    // Same bounds as the pipeline layouts above (f32 summation order).
    CHECK(e.nmse < 5e-12);
    CHECK(e.max_abs < 1.5e-5);
  }
}

TEST_CASE("UNet config reads per-block settings as diffusers does", "[unet]") {
  auto a = UNetConfig::load(testing::golden_dir("unet-per-block") / "a/config.json");
  CHECK(a.layers_per_block == std::vector<int64_t>{2, 1, 2, 1});
  CHECK(a.attention_heads == std::vector<int64_t>{2, 4, 3, 8});
  CHECK(a.cross_attention_dim[1].size() == 4);
  CHECK(a.cross_attention_dim[2].size() == 1);  // an integer width is one slot
  auto b = UNetConfig::load(testing::golden_dir("unet-per-block") / "b/config.json");
  CHECK(b.transformer_layers_per_block == std::vector<int64_t>(3, 1));
  CHECK(b.cross_attention_dim == std::vector<std::vector<std::optional<int64_t>>>(3, {std::optional<int64_t>(40)}));

  nlohmann::json j = nlohmann::json::parse(foley::read_file(testing::golden_dir("unet-per-block") / "a/config.json"));
  auto refuses = [&](const char* key, nlohmann::json value, const std::string& why) {
    nlohmann::json k = j;
    k[key] = std::move(value);
    try {
      UNetConfig::from_json(k, "unet/config.json");
      FAIL("accepted " << key << " = " << k[key].dump());
    } catch (const foley::Error& e) {
      CHECK_THAT(e.what(), Catch::Contains("unet/config.json") && Catch::Contains(key) && Catch::Contains(why));
    }
  };
  refuses("layers_per_block", {1, 2, 1}, "one entry per block");
  refuses("attention_head_dim", {2, 4, 5, 8}, "not divisible");
  refuses("transformer_layers_per_block", {1, 0, 1, 1}, "positive");
  refuses("cross_attention_dim", {40, 40}, "one entry per block");
  refuses("cross_attention_dim", {40, nullptr, 40, 40}, "has attention but no width");
  refuses("cross_attention_dim", {40, {nullptr, 40, 32, 32, 32}, 40, 40}, "at most 4");
}

TEST_CASE("UNet rejects a sample with the wrong channel count", "[unet]") {
  auto unet = AudioLDM2UNet2DConditionModel::load(testing::model_dir("tiny-audioldm2") / "unet");
  Tensor gpt = Tensor::zeros({1, 8, 40}), t5 = Tensor::zeros({1, 3, 32});
  CHECK_THROWS_AS(unet.forward(Tensor::zeros({1, 4, 8, 16}), 1, gpt, t5, {}), foley::Error);
  CHECK_NOTHROW(unet.forward(Tensor::zeros({1, 8, 8, 16}), 1, gpt, t5, {}));
}

TEST_CASE("UNet runs a batch's repeated latent rows once up to the conditioning, same result", "[unet]") {
  for (const auto& model : testing::tiny_models()) {
    INFO(model);
    auto unet = AudioLDM2UNet2DConditionModel::load(testing::model_dir(model) / "unet");
    const auto cases = testing::pipeline_cases(model);
    auto g = tensor::SafetensorsFile::open(cases.front().file);
    const Tensor x = g.get("unet.input.0").narrow(0, 0, 1), y = tensor::scale(x, 0.5);
    const Tensor gpt = g.get("unet.encoder_hidden_states"), t5 = g.get("unet.encoder_hidden_states_1");
    const Tensor mask = g.get("unet.encoder_attention_mask_1");
    REQUIRE(gpt.size(0) == 2);
    // The fewest rows any convolution ran on (conv_in first), from the op profile's shapes.
    const auto run = [&](const Tensor& sample, bool share) {
      const int64_t b = sample.size(0);
      const auto widen = [&](const Tensor& t) { return b == 2 ? t : tensor::cat({t, t}, 0); };
      unet.set_share_repeated_rows(share);
      tensor::clear_op_profile();
      tensor::set_op_profile(tensor::OpProfile::kShapes);
      Tensor out = unet.forward(sample, 500, widen(gpt), widen(t5), widen(mask));
      tensor::set_op_profile(tensor::OpProfile::kOff);
      int64_t fewest = b;
      for (const auto& row : tensor::op_profile_rows())
        if (row.key.rfind("conv2d [", 0) == 0) fewest = std::min<int64_t>(fewest, std::stoll(row.key.substr(8)));
      tensor::clear_op_profile();
      return std::pair{out, fewest};
    };
    const auto check = [&](const Tensor& sample, int64_t distinct) {
      const auto [shared, shared_rows] = run(sample, true);
      const auto [full, full_rows] = run(sample, false);
      CHECK(shared_rows == distinct);
      CHECK(full_rows == sample.size(0));
      REQUIRE(shared.shape() == full.shape());
      const testing::Error e = testing::compare(shared, full);
      testing::report(model + " shared rows against the full batch", e);
      CHECK(e.nmse < 1e-12);  // the same math; only a summation order may differ with the batch size
    };
    SECTION("guidance's [x, x]") { check(tensor::cat({x, x}, 0), 1); }
    SECTION("two guided lanes as the pipeline batches them, [x, x, y, y]") { check(tensor::cat({x, x, y, y}, 0), 2); }
    SECTION("[x, y, x, y]") { check(tensor::cat({x, y, x, y}, 0), 2); }
    SECTION("distinct rows are never shared") { check(tensor::cat({x, y}, 0), 2); }
  }
}

TEST_CASE("T5 padding bias is (1 - mask) * -10000", "[unet]") {
  Tensor b = t5_padding_bias(Tensor::from_vector(std::vector<int64_t>{1, 1, 0}, {1, 3}));
  CHECK(b.shape() == tensor::Shape{1, 1, 1, 3});
  CHECK(b.to_vector_f32() == std::vector<float>{0.0f, 0.0f, -10000.0f});
}

}  // namespace
}  // namespace foley::models
