#pragma once

#include <cstdint>
#include <filesystem>

#include "models/nn/activation.h"

namespace foley::models {

// transformers' T5Config as text_encoder_2/config.json writes it (only what
// the encoder needs). feed_forward_proj "gated-gelu" means a gated FFN with
// gelu_new (the Flan-T5 case); "relu" / "gated-silu" etc. are accepted too.
struct T5Config {
  int64_t vocab_size = 32128;
  int64_t d_model = 512;
  int64_t d_kv = 64;
  int64_t d_ff = 2048;
  int64_t num_layers = 6;
  int64_t num_heads = 8;
  int64_t relative_attention_num_buckets = 32;
  int64_t relative_attention_max_distance = 128;
  double layer_norm_epsilon = 1e-6;
  bool is_gated_act = false;
  Activation dense_act_fn = Activation::kRelu;

  // Reads the file; throws foley::Error naming the file and key.
  static T5Config load(const std::filesystem::path& config_json);

  int64_t inner_dim() const { return num_heads * d_kv; }
  // Parameters of T5EncoderModel: shared embedding, blocks, final norm
  // (the tied encoder.embed_tokens counted once, as torch does).
  int64_t parameter_count() const;
};

}  // namespace foley::models
