#pragma once

#include <cstdint>
#include <filesystem>

#include "models/nn/activation.h"

namespace foley::models {

// transformers' GPT2Config as language_model/config.json writes it, plus the
// AudioLDM 2 key max_new_tokens (8 in the official checkpoints).
struct GPT2Config {
  int64_t vocab_size = 50257;
  int64_t n_positions = 1024;
  int64_t n_embd = 768;
  int64_t n_layer = 12;
  int64_t n_head = 12;
  int64_t n_inner = 0;  // 0 = 4 * n_embd (config null)
  Activation activation_function = Activation::kGeluNew;
  double layer_norm_epsilon = 1e-5;
  bool scale_attn_weights = true;
  bool scale_attn_by_inverse_layer_idx = false;
  bool reorder_and_upcast_attn = false;  // changes only precision, not the math
  int64_t max_new_tokens = 8;

  // Reads the file; throws foley::Error naming the file and key.
  static GPT2Config load(const std::filesystem::path& config_json);

  int64_t inner_dim() const { return n_inner > 0 ? n_inner : 4 * n_embd; }
  // Parameters of GPT2Model (wte, wpe, blocks, ln_f; no LM head, no buffers).
  int64_t parameter_count() const;
};

}  // namespace foley::models
