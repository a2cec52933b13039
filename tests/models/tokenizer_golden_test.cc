#include <catch2/catch.hpp>

#include "models/audioldm2/conditioner.h"
#include "golden_util.h"
#include "tensor/safetensors.h"

using foley::models::Conditioner;
using foley::models::ConditionerParts;
namespace fet = foley::models::testing;

namespace {

void check_ids(const foley::tensor::SafetensorsFile& golden, const std::string& name, const foley::tensor::Tensor& actual) {
  INFO(name);
  REQUIRE(actual.defined());
  auto expected = golden.get(name);
  CHECK(actual.shape() == expected.shape());
  CHECK(actual.to_vector_i64() == expected.to_vector_i64());
}

void check_model_tokens(const std::string& model) {
  Conditioner c = Conditioner::load(fet::model_dir(model), ConditionerParts::tokenizers_only());
  auto cases = fet::conditioning_cases(model);
  REQUIRE(cases.size() >= 4);
  for (const auto& gc : cases) {
    INFO(model << " case " << gc.name);
    auto golden = foley::tensor::SafetensorsFile::open(gc.file);
    auto cond = c.encode(gc.prompt, gc.negative_prompt, true);
    for (const char* suffix : {"", ".neg"}) {
      const auto& b = std::string(suffix).empty() ? cond.cond : *cond.uncond;
      check_ids(golden, std::string("clap.input_ids") + suffix, b.clap_input_ids);
      check_ids(golden, std::string("clap.attention_mask") + suffix, b.clap_attention_mask);
      check_ids(golden, std::string("t5.input_ids") + suffix, b.t5_input_ids);
      check_ids(golden, std::string("t5.attention_mask") + suffix, b.t5_attention_mask);
    }
  }
}

}  // namespace

TEST_CASE("token ids and masks equal the diffusers goldens (tiny-audioldm2)") { check_model_tokens("tiny-audioldm2"); }

TEST_CASE("token ids and masks equal the diffusers goldens (tiny-audioldm2-large)") {
  check_model_tokens("tiny-audioldm2-large");
}
