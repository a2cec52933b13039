#include <catch2/catch.hpp>

#include "models/clap/clap_text_model.h"
#include "models/gpt2/gpt2_config.h"
#include "models/gpt2/gpt2_model.h"
#include "models/t5/t5_encoder.h"
#include "golden_util.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/safetensors.h"

using namespace foley::models;
using foley::tensor::Tensor;
namespace fet = foley::models::testing;

TEST_CASE("T5 relative position buckets equal transformers' for every distance") {
  // transformers 4.47.1 T5Attention._relative_position_bucket(arange(-140, 141),
  // bidirectional=True, ...) on torch 2.5.1 CPU. The (32, 128) row is Flan-T5's;
  // its log-range boundaries (|d| = 16, 32, 64) depend on float32 rounding.
  const std::vector<int64_t> flan = {
      15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
      15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 14, 14, 14,
      14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 13, 13, 13, 13, 13, 13, 13,
      13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 11, 11, 11,
      11, 11, 11, 11, 11, 11, 10, 10, 10, 10, 10, 10, 10, 9,  9,  9,  9,  8,  8,  8,  8,  7,  6,  5,  4,  3,  2,  1,
      0,  17, 18, 19, 20, 21, 22, 23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26, 27, 27, 27, 27, 27,
      27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29,
      29, 29, 29, 29, 29, 29, 29, 29, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
      30, 30, 30, 30, 30, 30, 30, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31,
      31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31,
      31};
  REQUIRE(flan.size() == 281);
  for (int64_t d = -140; d <= 140; ++d) {
    INFO("relative position " << d);
    CHECK(T5Encoder::relative_position_bucket(d, 32, 128) == flan[static_cast<size_t>(d + 140)]);
  }
  // (8, 20): few buckets, short range.
  CHECK(T5Encoder::relative_position_bucket(-6, 8, 20) == 2);
  CHECK(T5Encoder::relative_position_bucket(-7, 8, 20) == 3);
  CHECK(T5Encoder::relative_position_bucket(2, 8, 20) == 6);
  CHECK(T5Encoder::relative_position_bucket(6, 8, 20) == 6);
  CHECK(T5Encoder::relative_position_bucket(7, 8, 20) == 7);
  CHECK(T5Encoder::relative_position_bucket(1, 8, 20) == 5);
}

TEST_CASE("CLAP position ids count real tokens from padding_idx + 1") {
  Tensor ids = Tensor::from_vector(std::vector<int64_t>{0, 7, 9, 2, 1, 1, 0, 2, 1, 1, 1, 1}, {2, 6});
  CHECK(ClapTextModel::position_ids(ids, 1).to_vector_i64() ==
        std::vector<int64_t>{2, 3, 4, 5, 1, 1, 2, 3, 1, 1, 1, 1});
}

TEST_CASE("GPT-2 generation with the KV cache equals recomputing the whole sequence") {
  auto dir = fet::model_dir("tiny-audioldm2") / "language_model";
  GPT2Config config = GPT2Config::load(dir / "config.json");
  auto weights = foley::tensor::WeightMap::load_dir(dir);
  GPT2Model model = GPT2Model::load(config, weights);
  foley::tensor::CpuGenerator gen(7);
  Tensor seq = foley::tensor::randn({2, 6, config.n_embd}, gen);
  // Second row has padded slots in the middle, as a padded negative T5 stream.
  Tensor mask = Tensor::from_vector(std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1}, {2, 6});
  Tensor cached = model.generate(seq, mask, 4);
  REQUIRE(cached.shape() == foley::tensor::Shape{2, 4, config.n_embd});

  Tensor s = seq, m = mask;
  std::vector<Tensor> steps;
  for (int i = 0; i < 4; ++i) {
    Tensor h = model.forward(s, m, nullptr);
    Tensor next = h.narrow(1, h.size(1) - 1, 1);
    steps.push_back(next);
    s = foley::tensor::cat({s, next}, 1);
    m = foley::tensor::cat({m, Tensor::full({2, 1}, 1.0, foley::tensor::DType::kI64)}, 1);
  }
  auto err = fet::compare(cached, foley::tensor::cat(steps, 1));
  CHECK(err.max_abs < 1e-5);
  // The mask matters: unmasking the pads changes the output.
  Tensor unmasked = model.generate(seq, Tensor::full({2, 6}, 1.0, foley::tensor::DType::kI64), 4);
  CHECK(fet::compare(unmasked.narrow(0, 1, 1), cached.narrow(0, 1, 1)).max_abs > 1e-4);
  CHECK(fet::compare(unmasked.narrow(0, 0, 1), cached.narrow(0, 0, 1)).max_abs < 1e-5);
}
