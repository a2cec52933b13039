#pragma once

#include <vector>

#include "models/gpt2/gpt2_config.h"
#include "models/nn/layers.h"

namespace foley::models {

// transformers' GPT2Model driven purely in embedding space, as AudioLDM 2's
// generate_language_model does: no wte lookup, no LM head; pre-LN blocks with
// Conv1D weights ([in, out]), causal attention plus a key-padding mask, and
// learned absolute positions counted over the whole sequence (pads included).
class GPT2Model {
 public:
  // Keys/values of every layer for the positions seen so far ([B, H, T, Dh]).
  struct KVCache {
    std::vector<tensor::Tensor> keys, values;
    int64_t length = 0;
  };

  // Loads wpe, every block and ln_f (wte is not needed and not loaded);
  // `prefix` is "transformer." for GPT2LMHeadModel files. Throws
  // foley::Error naming a missing or mis-shaped tensor.
  static GPT2Model load(const GPT2Config& config, const tensor::WeightMap& weights, const std::string& prefix = "");

  // One forward pass over `inputs_embeds` [B, T_new, n_embd] at positions
  // cache.length … (0 without a cache). attention_mask [B, T_past + T_new]
  // (0/1) covers past and new tokens. Appends the new keys/values to `cache`
  // when given. Returns the hidden states after ln_f [B, T_new, n_embd] on
  // device(); the mask may be on any device (it is read on the host).
  tensor::Tensor forward(const tensor::Tensor& inputs_embeds, const tensor::Tensor& attention_mask,
                         KVCache* cache) const;

  // The pipeline's generate_language_model: feeds the sequence, takes the
  // last position's output as the next input embedding, max_new_tokens
  // times, with a KV cache. Returns the generated vectors [B, max_new_tokens, n_embd].
  tensor::Tensor generate(const tensor::Tensor& inputs_embeds, const tensor::Tensor& attention_mask,
                          int64_t max_new_tokens) const;

  const GPT2Config& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

 private:
  struct Block {
    LayerNorm ln_1;
    Conv1D c_attn, attn_proj;
    LayerNorm ln_2;
    Conv1D c_fc, mlp_proj;
  };

  GPT2Config config_;
  tensor::Device device_;
  tensor::Tensor wpe_;
  std::vector<Block> blocks_;
  LayerNorm ln_f_;
};

}  // namespace foley::models
