#include <catch2/catch.hpp>

#include <map>

#include "models/audioldm2/conditioner.h"
#include "models/audioldm2/pipeline/dump.h"
#include "golden_util.h"
#include "tensor/safetensors.h"

using foley::models::Conditioner;
namespace fet = foley::models::testing;

namespace {

// Thresholds per stage, from the measured worst case over both tiny models,
// all 8 cases and both branches (OpenBLAS/oneDNN f32 vs torch 2.5.1 CPU f32;
// refresh with FOLEY_ENGINE_METRICS=1, table in docs/engine.md):
//   clap.text_embeds          NMSE 2.8e-13  max-abs 2.3e-07
//   t5.last_hidden_state      NMSE 1.3e-13  max-abs 1.3e-06
//   projection.hidden_states  NMSE 7.5e-14  max-abs 1.1e-06
//   gpt2.generated            NMSE 6.6e-13  max-abs 2.1e-06
// Bounds sit ~30-100x above the NMSE and ~10x above the max-abs measured:
// room for another GEMM library's summation order, while a structural bug
// (a wrong bucket, position or mask) moves these tensors by O(1e-2) or more.
struct Bound {
  double nmse;
  double max_abs;
};
const std::map<std::string, Bound> kBounds = {
    {"clap.text_embeds", {1e-11, 3e-6}},
    {"t5.last_hidden_state", {1e-11, 1.5e-5}},
    {"projection.hidden_states", {1e-11, 1.5e-5}},
    {"gpt2.generated", {2e-11, 2.5e-5}},
};

void check_model(const std::string& model) {
  Conditioner conditioner = Conditioner::load(fet::model_dir(model));
  auto cases = fet::conditioning_cases(model);
  REQUIRE(cases.size() >= 4);
  for (const auto& gc : cases) {
    auto golden = foley::tensor::SafetensorsFile::open(gc.file);
    auto tensors = foley::models::conditioning_tensors(conditioner.encode(gc.prompt, gc.negative_prompt, true));
    for (const auto& name : golden.names()) {
      INFO(model << " case " << gc.name << " tensor " << name);
      REQUIRE(tensors.count(name) == 1);
      const auto& actual = tensors.at(name);
      auto expected = golden.get(name);
      REQUIRE(actual.shape() == expected.shape());
      if (expected.dtype() == foley::tensor::DType::kI64) {
        CHECK(actual.to_vector_i64() == expected.to_vector_i64());
        continue;
      }
      std::string stage = name.substr(0, name.rfind(".neg") == name.size() - 4 ? name.size() - 4 : name.size());
      REQUIRE(kBounds.count(stage) == 1);
      auto err = fet::compare(actual, expected);
      fet::report(model + " " + gc.name + " " + name, err);
      CHECK(err.nmse < kBounds.at(stage).nmse);
      CHECK(err.max_abs < kBounds.at(stage).max_abs);
    }
  }
}

}  // namespace

TEST_CASE("every conditioning stage equals the diffusers goldens (tiny-audioldm2)") { check_model("tiny-audioldm2"); }

TEST_CASE("every conditioning stage equals the diffusers goldens (tiny-audioldm2-large)") {
  check_model("tiny-audioldm2-large");
}

TEST_CASE("dump_conditioning writes every stage under the golden names") {
  auto cases = fet::conditioning_cases("tiny-audioldm2");
  const auto& gc = cases.at(1);
  auto out = std::filesystem::temp_directory_path() / "foley-engine-dump-test.safetensors";
  foley::models::dump_conditioning(fet::model_dir("tiny-audioldm2"), gc.prompt, gc.negative_prompt, out);
  auto dumped = foley::tensor::SafetensorsFile::open(out);
  auto golden = foley::tensor::SafetensorsFile::open(gc.file);
  CHECK(dumped.names().size() == golden.names().size());
  for (const auto& name : golden.names()) {
    INFO(name);
    REQUIRE(dumped.contains(name));
    CHECK(dumped.get(name).dtype() == golden.get(name).dtype());
    CHECK(fet::compare(dumped.get(name), golden.get(name)).nmse < 1e-10);
  }
  CHECK(dumped.header().metadata.at("prompt") == gc.prompt);
  std::filesystem::remove(out);
  CHECK_THROWS_WITH(foley::models::dump_conditioning(fet::source_dir() / "no-such-model", "x", std::nullopt, out),
                    Catch::Contains("model_index.json"));
}
