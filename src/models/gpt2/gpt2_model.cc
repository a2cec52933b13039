#include "models/gpt2/gpt2_model.h"

#include <cmath>

#include "common/error.h"
#include "models/nn/activation_ops.h"

namespace foley::models {

using tensor::DType;
using tensor::Tensor;

GPT2Model GPT2Model::load(const GPT2Config& config, const tensor::WeightMap& w, const std::string& prefix) {
  GPT2Model m;
  m.config_ = config;
  m.device_ = w.placement().device;
  const int64_t d = config.n_embd, f = config.inner_dim();
  const double eps = config.layer_norm_epsilon;
  m.wpe_ = w.get_table(prefix + "wpe.weight", {config.n_positions, d});
  for (int64_t i = 0; i < config.n_layer; ++i) {
    const std::string h = prefix + "h." + std::to_string(i) + ".";
    m.blocks_.push_back(Block{
        LayerNorm::load(w, h + "ln_1", d, eps),
        Conv1D::load(w, h + "attn.c_attn", d, 3 * d),
        Conv1D::load(w, h + "attn.c_proj", d, d),
        LayerNorm::load(w, h + "ln_2", d, eps),
        Conv1D::load(w, h + "mlp.c_fc", d, f),
        Conv1D::load(w, h + "mlp.c_proj", f, d),
    });
  }
  m.ln_f_ = LayerNorm::load(w, prefix + "ln_f", d, eps);
  return m;
}

Tensor GPT2Model::forward(const Tensor& inputs_embeds, const Tensor& attention_mask, KVCache* cache) const {
  const int64_t d = config_.n_embd, heads = config_.n_head;
  if (inputs_embeds.dim() != 3 || inputs_embeds.size(2) != d)
    throw Error("GPT-2: inputs_embeds " + inputs_embeds.to_string() + " must be [batch, length, " + std::to_string(d) + "]");
  const int64_t batch = inputs_embeds.size(0), t_new = inputs_embeds.size(1);
  const int64_t past = cache ? cache->length : 0;
  if (attention_mask.shape() != tensor::Shape{batch, past + t_new})
    throw Error("GPT-2: attention_mask " + attention_mask.to_string() + " must be [" + std::to_string(batch) + ", " +
                std::to_string(past + t_new) + "] (past + new tokens)");
  if (past + t_new > config_.n_positions)
    throw Error("GPT-2: sequence of " + std::to_string(past + t_new) + " positions exceeds n_positions " +
                std::to_string(config_.n_positions));

  std::vector<int64_t> pos(static_cast<size_t>(t_new));
  for (int64_t i = 0; i < t_new; ++i) pos[static_cast<size_t>(i)] = past + i;
  Tensor positions = Tensor::from_vector(pos, {t_new}).to(device_);
  Tensor x = tensor::add(inputs_embeds.to(device_), tensor::embedding(wpe_, positions).unsqueeze(0));

  const int64_t head_dim = d / heads;
  tensor::AttentionOptions attn;
  attn.causal = true;
  attn.bias = padding_mask_bias(attention_mask).to(device_);
  if (cache && cache->keys.empty()) {
    cache->keys.resize(blocks_.size());
    cache->values.resize(blocks_.size());
  }
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const Block& b = blocks_[i];
    double scale = config_.scale_attn_weights ? 1.0 / std::sqrt(static_cast<double>(head_dim)) : 1.0;
    if (config_.scale_attn_by_inverse_layer_idx) scale /= static_cast<double>(i + 1);
    attn.scale = scale;

    std::vector<Tensor> qkv = tensor::chunk(b.c_attn(b.ln_1(x)), 3, -1);
    Tensor q = split_heads(qkv[0], heads);
    Tensor k = split_heads(qkv[1], heads);
    Tensor v = split_heads(qkv[2], heads);
    if (cache) {
      if (past > 0) {
        k = tensor::cat({cache->keys[i], k}, 2);
        v = tensor::cat({cache->values[i], v}, 2);
      }
      cache->keys[i] = k;
      cache->values[i] = v;
    }
    x = tensor::add(x, b.attn_proj(merge_heads(tensor::attention(q, k, v, attn))));
    Tensor h = apply_activation(b.c_fc(b.ln_2(x)), config_.activation_function);
    x = tensor::add(x, b.mlp_proj(h));
  }
  if (cache) cache->length = past + t_new;
  return ln_f_(x);
}

Tensor GPT2Model::generate(const Tensor& inputs_embeds, const Tensor& attention_mask, int64_t max_new_tokens) const {
  if (max_new_tokens < 1) throw Error("GPT-2: max_new_tokens must be at least 1");
  const int64_t batch = inputs_embeds.size(0);
  KVCache cache;
  // The mask grows on the host: forward() reads it there for the padding bias.
  Tensor mask = attention_mask.to(tensor::Device::cpu()).to(DType::kI64);
  Tensor next_input = inputs_embeds;
  std::vector<Tensor> generated;
  Tensor ones = Tensor::full({batch, 1}, 1.0, DType::kI64);
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    Tensor hidden = forward(next_input, mask, &cache);
    // The output at the last position is the next input embedding.
    next_input = hidden.narrow(1, hidden.size(1) - 1, 1);
    generated.push_back(next_input);
    mask = tensor::cat({mask, ones}, 1);
  }
  return tensor::cat(generated, 1);
}

}  // namespace foley::models
