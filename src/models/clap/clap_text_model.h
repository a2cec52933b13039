#pragma once

#include <vector>

#include "models/clap/clap_text_config.h"
#include "models/nn/layers.h"

namespace foley::models {

// The text branch of transformers' ClapModel as AudioLDM 2 uses it
// (get_text_features): RoBERTa embeddings with padding-aware positions,
// post-LN encoder, pooler on <s>, text_projection (linear-act-linear), then
// L2 normalisation. Weight names are those of text_encoder/*.safetensors.
class ClapTextModel {
 public:
  // Loads every weight of the branch (checking shapes against the config).
  // Throws foley::Error naming a missing or mis-shaped tensor.
  static ClapTextModel load(const ClapTextConfig& config, const tensor::WeightMap& weights);

  // input_ids, attention_mask: i64 [B, L] (any device) → text_embeds f32
  // [B, projection_dim] on device(), unit vectors.
  tensor::Tensor get_text_features(const tensor::Tensor& input_ids, const tensor::Tensor& attention_mask) const;

  // Encoder output [B, L, hidden] (before the pooler), for debugging.
  tensor::Tensor last_hidden_state(const tensor::Tensor& input_ids, const tensor::Tensor& attention_mask) const;

  const ClapTextConfig& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

  // RoBERTa position ids: cumsum(ids != pad) * (ids != pad) + pad, so real
  // tokens count from pad+1 and pads sit at pad. ids i64 [B, L] → i64 [B, L]
  // on the CPU.
  static tensor::Tensor position_ids(const tensor::Tensor& input_ids, int64_t pad_token_id);

 private:
  struct Layer {
    Linear query, key, value, attention_output;
    LayerNorm attention_norm;
    Linear intermediate, output;
    LayerNorm output_norm;
  };

  ClapTextConfig config_;
  tensor::Device device_;
  tensor::Tensor word_embeddings_, position_embeddings_, token_type_embeddings_;
  LayerNorm embeddings_norm_;
  std::vector<Layer> layers_;
  Linear pooler_;
  Linear projection1_, projection2_;
};

}  // namespace foley::models
