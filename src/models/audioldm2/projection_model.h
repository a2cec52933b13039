#pragma once

#include "models/audioldm2/projection_config.h"
#include "models/nn/layers.h"

namespace foley::models {

// What AudioLDM2ProjectionModel returns: the GPT-2 input sequence and mask.
struct ProjectionOutput {
  tensor::Tensor hidden_states;   // f32 [B, 1 + L1 + 1 + 1 + L2 + 1, langauge_model_dim]
  tensor::Tensor attention_mask;  // i64 [B, same length]
};

// diffusers' AudioLDM2ProjectionModel: each conditioning stream is projected
// to the language model's width and wrapped in its own learned SOS/EOS
// vectors; the two streams are concatenated (EOS after any padding).
class AudioLDM2ProjectionModel {
 public:
  // Loads projection, projection_1 and sos/eos_embed(_1). Throws foley::Error
  // naming a missing or mis-shaped tensor.
  static AudioLDM2ProjectionModel load(const AudioLDM2ProjectionConfig& config, const tensor::WeightMap& weights);

  // hidden_states [B, L1, text_encoder_dim] with mask i64 [B, L1] (CLAP: L1 = 1,
  // mask ones); hidden_states_1 [B, L2, text_encoder_1_dim] with mask [B, L2] (T5).
  // The states may be on any device; the output's hidden_states are on
  // device(), its attention_mask on the CPU (masks are read on the host).
  ProjectionOutput forward(const tensor::Tensor& hidden_states, const tensor::Tensor& attention_mask,
                           const tensor::Tensor& hidden_states_1, const tensor::Tensor& attention_mask_1) const;

  const AudioLDM2ProjectionConfig& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

 private:
  AudioLDM2ProjectionConfig config_;
  tensor::Device device_;
  Linear projection_, projection_1_;
  tensor::Tensor sos_embed_, eos_embed_, sos_embed_1_, eos_embed_1_;
};

}  // namespace foley::models
