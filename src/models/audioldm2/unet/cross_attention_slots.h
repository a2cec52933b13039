#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/audioldm2/unet/transformer_2d.h"

namespace foley::models {

// The two conditioning streams of the AudioLDM 2 UNet, and their batch B. The
// layers before the first that reads them may run on the sample's distinct
// rows only (AudioLDM2UNet2DConditionModel::forward): `rows` then maps each of
// the B rows to its distinct row, and expand_rows widens to B.
struct UNetConditioning {
  tensor::Tensor encoder_hidden_states;    // GPT-2 vectors [B, 8, 768], no mask
  tensor::Tensor encoder_hidden_states_1;  // T5 states [B, L, 1024]
  tensor::Tensor encoder_bias_1;           // (1 - mask) * -10000 as [B, 1, 1, L], or undefined
  int64_t batch = 0;
  tensor::Tensor rows;  // i64 [B] on the model's device, or undefined when every row is distinct
};

// x itself when it has cond.batch rows; else x [U, ...] over the distinct rows,
// widened to the B rows of cond.rows.
tensor::Tensor expand_rows(const tensor::Tensor& x, const UNetConditioning& cond);

// Geometry shared by the transformer groups of every block.
struct TransformerSlots {
  std::vector<std::optional<int64_t>> cross_attention_dim;  // per slot; nullopt = self-only
  int64_t heads = 8;
  int64_t layers = 1;  // BasicTransformerBlocks per Transformer2DModel
  int64_t groups = 32;
};

// The k = slots.size() Transformer2DModels that follow one resnet:
// `attentions.{layer*k + idx}` under `prefix`, routed as diffusers does
// (self-only slot: no context; idx <= 1: GPT-2 stream; idx > 1: T5 stream + bias).
class TransformerGroup {
 public:
  static TransformerGroup load(const tensor::WeightMap& w, const std::string& prefix, int64_t layer,
                               int64_t channels, const TransformerSlots& slots);
  tensor::Tensor operator()(const tensor::Tensor& x, const UNetConditioning& cond) const;
  bool empty() const { return transformers_.empty(); }

 private:
  std::vector<Transformer2DModel> transformers_;
};

}  // namespace foley::models
