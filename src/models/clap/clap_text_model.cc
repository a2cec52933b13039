#include "models/clap/clap_text_model.h"

#include <cmath>

#include "common/error.h"
#include "models/nn/activation_ops.h"

namespace foley::models {

using tensor::DType;
using tensor::Tensor;

ClapTextModel ClapTextModel::load(const ClapTextConfig& config, const tensor::WeightMap& w) {
  ClapTextModel m;
  m.config_ = config;
  m.device_ = w.placement().device;
  const int64_t h = config.hidden_size, f = config.intermediate_size, p = config.projection_dim;
  const std::string e = "text_model.embeddings.";
  m.word_embeddings_ = w.get_table(e + "word_embeddings.weight", {config.vocab_size, h});
  m.position_embeddings_ = w.get_table(e + "position_embeddings.weight", {config.max_position_embeddings, h});
  m.token_type_embeddings_ = w.get_table(e + "token_type_embeddings.weight", {config.type_vocab_size, h});
  m.embeddings_norm_ = LayerNorm::load(w, e + "LayerNorm", h, config.layer_norm_eps);
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    const std::string l = "text_model.encoder.layer." + std::to_string(i) + ".";
    Layer layer{
        Linear::load(w, l + "attention.self.query", h, h),
        Linear::load(w, l + "attention.self.key", h, h),
        Linear::load(w, l + "attention.self.value", h, h),
        Linear::load(w, l + "attention.output.dense", h, h),
        LayerNorm::load(w, l + "attention.output.LayerNorm", h, config.layer_norm_eps),
        Linear::load(w, l + "intermediate.dense", h, f),
        Linear::load(w, l + "output.dense", f, h),
        LayerNorm::load(w, l + "output.LayerNorm", h, config.layer_norm_eps),
    };
    m.layers_.push_back(std::move(layer));
  }
  m.pooler_ = Linear::load(w, "text_model.pooler.dense", h, h);
  m.projection1_ = Linear::load(w, "text_projection.linear1", h, p);
  m.projection2_ = Linear::load(w, "text_projection.linear2", p, p);
  return m;
}

Tensor ClapTextModel::position_ids(const Tensor& input_ids, int64_t pad_token_id) {
  std::vector<int64_t> ids = input_ids.to(tensor::Device::cpu()).to_vector_i64();
  const int64_t b = input_ids.size(0), l = input_ids.size(1);
  std::vector<int64_t> pos(ids.size());
  for (int64_t r = 0; r < b; ++r) {
    int64_t count = 0;
    for (int64_t c = 0; c < l; ++c) {
      size_t i = static_cast<size_t>(r * l + c);
      bool real = ids[i] != pad_token_id;
      count += real ? 1 : 0;
      pos[i] = real ? count + pad_token_id : pad_token_id;
    }
  }
  return Tensor::from_vector(pos, {b, l});
}

Tensor ClapTextModel::last_hidden_state(const Tensor& input_ids, const Tensor& attention_mask) const {
  if (input_ids.dim() != 2 || attention_mask.shape() != input_ids.shape())
    throw Error("CLAP text model: input_ids " + input_ids.to_string() + " and attention_mask " +
                attention_mask.to_string() + " must both be [batch, length]");
  if (input_ids.size(1) + config_.pad_token_id >= config_.max_position_embeddings)
    throw Error("CLAP text model: " + std::to_string(input_ids.size(1)) + " tokens exceed max_position_embeddings " +
                std::to_string(config_.max_position_embeddings) + " (minus the padding offset)");
  const int64_t heads = config_.num_attention_heads;
  const int64_t head_dim = config_.hidden_size / heads;

  // Ids, positions and token types are made on the host and meet the tables on device_.
  Tensor pos = position_ids(input_ids, config_.pad_token_id).to(device_);
  Tensor token_type = tensor::Tensor::zeros(input_ids.shape(), DType::kI64).to(device_);
  Tensor x = tensor::add(tensor::embedding(word_embeddings_, input_ids.to(device_)),
                         tensor::embedding(token_type_embeddings_, token_type));
  x = tensor::add(x, tensor::embedding(position_embeddings_, pos));
  x = embeddings_norm_(x);

  tensor::AttentionOptions attn;
  attn.scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  attn.bias = padding_mask_bias(attention_mask).to(device_);
  for (const Layer& layer : layers_) {
    Tensor q = split_heads(layer.query(x), heads);
    Tensor k = split_heads(layer.key(x), heads);
    Tensor v = split_heads(layer.value(x), heads);
    Tensor a = layer.attention_output(merge_heads(tensor::attention(q, k, v, attn)));
    x = layer.attention_norm(tensor::add(a, x));
    Tensor hdn = apply_activation(layer.intermediate(x), config_.hidden_act);
    x = layer.output_norm(tensor::add(layer.output(hdn), x));
  }
  return x;
}

Tensor ClapTextModel::get_text_features(const Tensor& input_ids, const Tensor& attention_mask) const {
  // Trailing padding columns (mask 0 in every row) change nothing: they are
  // masked as keys with finfo.min and no real token's position depends on
  // them. Dropping them saves the 512-token padded pass the pipeline makes.
  std::vector<int64_t> mask = attention_mask.to(tensor::Device::cpu()).to_vector_i64();
  const int64_t b = attention_mask.size(0), l = attention_mask.size(1);
  int64_t keep = 1;
  for (int64_t r = 0; r < b; ++r)
    for (int64_t c = l - 1; c >= keep; --c)
      if (mask[static_cast<size_t>(r * l + c)] != 0) {
        keep = c + 1;
        break;
      }
  Tensor hidden = keep < l ? last_hidden_state(input_ids.narrow(1, 0, keep), attention_mask.narrow(1, 0, keep))
                           : last_hidden_state(input_ids, attention_mask);
  Tensor first = hidden.select(1, 0);  // the <s> token, [B, hidden]
  Tensor pooled = tensor::tanh(pooler_(first));
  Tensor projected = projection2_(apply_activation(projection1_(pooled), config_.projection_hidden_act));
  return tensor::l2_normalize(projected, -1, 1e-12);
}

}  // namespace foley::models
