#pragma once

#include <cstdint>
#include <filesystem>

#include "models/nn/activation.h"

namespace foley::models {

// The text half of transformers' ClapConfig (`text_config` in
// text_encoder/config.json), with ClapTextConfig's defaults for absent keys:
// the official checkpoints override almost nothing, so the defaults matter.
struct ClapTextConfig {
  int64_t vocab_size = 50265;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  Activation hidden_act = Activation::kGelu;
  int64_t max_position_embeddings = 514;
  int64_t type_vocab_size = 1;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 1;
  int64_t projection_dim = 512;  // text_projection output (ClapConfig.projection_dim)
  Activation projection_hidden_act = Activation::kRelu;

  // Reads text_encoder/config.json (a ClapModel config, or a bare
  // ClapTextConfig). Throws foley::Error naming the file and key on a bad or
  // unsupported value (e.g. position_embedding_type other than "absolute").
  static ClapTextConfig load(const std::filesystem::path& config_json);

  // Parameters of the text branch we run: embeddings, encoder, pooler and
  // text_projection (not the audio branch or logit scales).
  int64_t parameter_count() const;
};

}  // namespace foley::models
