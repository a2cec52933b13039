#pragma once

#include <vector>

#include "models/t5/t5_config.h"
#include "models/nn/layers.h"

namespace foley::models {

// transformers' T5EncoderModel (Flan-T5 in AudioLDM 2): shared embedding
// without scaling, pre-RMSNorm blocks with bidirectional relative position
// bias from block 0, attention without 1/sqrt(d) scaling, gated-GELU FFN,
// final RMSNorm. All math in f32; `wo` stays an f32 weight on every placement,
// as transformers keeps it.
class T5Encoder {
 public:
  // Loads shared.weight (or encoder.embed_tokens.weight), every block and the
  // final norm. Throws foley::Error naming a missing or mis-shaped tensor.
  static T5Encoder load(const T5Config& config, const tensor::WeightMap& weights);

  // input_ids, attention_mask: i64 [B, L] (any device) → last_hidden_state
  // f32 [B, L, d_model] on device().
  tensor::Tensor forward(const tensor::Tensor& input_ids, const tensor::Tensor& attention_mask) const;

  const T5Config& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

  // T5's _relative_position_bucket for the bidirectional (encoder) case, with
  // the log-range arithmetic done in float32 as torch does it, so bucket
  // boundaries land where the reference puts them.
  static int64_t relative_position_bucket(int64_t relative_position, int64_t num_buckets, int64_t max_distance);

  // Position bias [1, heads, q_len, k_len] from the block-0 table, on the CPU.
  tensor::Tensor position_bias(int64_t q_len, int64_t k_len) const;

 private:
  struct Block {
    tensor::Tensor attention_norm;  // layer.0.layer_norm.weight
    // q, k and v stacked into one [3 * inner, d_model] weight at load: one GEMM
    // instead of three (fewer passes over the activations, fewer thread
    // hand-offs; docs/performance.md). Likewise wi_0 over wi_1 when gated.
    Linear qkv, o;
    tensor::Tensor ffn_norm;  // layer.1.layer_norm.weight
    Linear wi_01, wi, wo;  // wi_01 ([wi_0; wi_1]) when gated, wi otherwise
  };

  T5Config config_;
  tensor::Device device_;
  tensor::Tensor shared_;
  tensor::Tensor relative_attention_bias_;  // [num_buckets, heads]
  std::vector<Block> blocks_;
  tensor::Tensor final_norm_;
};

}  // namespace foley::models
