#include "models/t5/t5_encoder.h"

#include <cmath>
#include <vector>

#include "common/error.h"
#include "models/nn/activation_ops.h"

namespace foley::models {

using tensor::DType;
using tensor::Tensor;

T5Encoder T5Encoder::load(const T5Config& config, const tensor::WeightMap& w) {
  T5Encoder m;
  m.config_ = config;
  m.device_ = w.placement().device;
  const int64_t d = config.d_model, inner = config.inner_dim(), ff = config.d_ff;
  // The embedding is tied: files carry shared.weight, encoder.embed_tokens.weight or both.
  const std::string emb = w.contains("shared.weight") ? "shared.weight" : "encoder.embed_tokens.weight";
  m.shared_ = w.get_table(emb, {config.vocab_size, d});
  m.relative_attention_bias_ = w.get_table("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                                           {config.relative_attention_num_buckets, config.num_heads});
  // The fused projections are concatenated on the host from f32 CPU views,
  // then placed once (on the CPU placement this is exactly the old path).
  const tensor::WeightMap host = w.with_placement(tensor::Placement::cpu());
  for (int64_t i = 0; i < config.num_layers; ++i) {
    const std::string b = "encoder.block." + std::to_string(i) + ".layer.";
    Block block;
    block.attention_norm = w.get(b + "0.layer_norm.weight", {d});
    block.qkv.weight = w.place(tensor::cat({Linear::load(host, b + "0.SelfAttention.q", d, inner, false).weight,
                                            Linear::load(host, b + "0.SelfAttention.k", d, inner, false).weight,
                                            Linear::load(host, b + "0.SelfAttention.v", d, inner, false).weight},
                                           0));
    block.o = Linear::load(w, b + "0.SelfAttention.o", inner, d, false);
    block.ffn_norm = w.get(b + "1.layer_norm.weight", {d});
    if (config.is_gated_act) {
      block.wi_01.weight = w.place(tensor::cat({Linear::load(host, b + "1.DenseReluDense.wi_0", d, ff, false).weight,
                                                Linear::load(host, b + "1.DenseReluDense.wi_1", d, ff, false).weight},
                                               0));
    } else {
      block.wi = Linear::load(w, b + "1.DenseReluDense.wi", d, ff, false);
    }
    block.wo.weight = w.get(b + "1.DenseReluDense.wo.weight", {d, ff}, DType::kF32);
    m.blocks_.push_back(std::move(block));
  }
  m.final_norm_ = w.get("encoder.final_layer_norm.weight", {d});
  return m;
}

int64_t T5Encoder::relative_position_bucket(int64_t relative_position, int64_t num_buckets, int64_t max_distance) {
  int64_t bucket = 0;
  num_buckets /= 2;
  if (relative_position > 0) bucket += num_buckets;
  const int64_t a = relative_position < 0 ? -relative_position : relative_position;
  const int64_t max_exact = num_buckets / 2;
  if (a < max_exact) return bucket + a;
  // torch: max_exact + (log(a.float() / max_exact) / math.log(max_distance / max_exact)
  //        * (num_buckets - max_exact)).to(long), every tensor op in float32.
  const float ratio = static_cast<float>(a) / static_cast<float>(max_exact);
  const float denom = static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)));
  const float scaled = std::log(ratio) / denom * static_cast<float>(num_buckets - max_exact);
  int64_t large = max_exact + static_cast<int64_t>(scaled);
  if (large > num_buckets - 1) large = num_buckets - 1;
  return bucket + large;
}

Tensor T5Encoder::position_bias(int64_t q_len, int64_t k_len) const {
  const int64_t heads = config_.num_heads;
  // [buckets, heads], read on the host (a small table).
  std::vector<float> table = relative_attention_bias_.to(tensor::Device::cpu()).to_vector_f32();
  std::vector<float> bias(static_cast<size_t>(heads * q_len * k_len));
  for (int64_t q = 0; q < q_len; ++q)
    for (int64_t k = 0; k < k_len; ++k) {
      int64_t bucket = relative_position_bucket(k - q, config_.relative_attention_num_buckets,
                                                config_.relative_attention_max_distance);
      for (int64_t h = 0; h < heads; ++h)
        bias[static_cast<size_t>((h * q_len + q) * k_len + k)] = table[static_cast<size_t>(bucket * heads + h)];
    }
  return Tensor::from_vector(bias, {1, heads, q_len, k_len});
}

Tensor T5Encoder::forward(const Tensor& input_ids, const Tensor& attention_mask) const {
  if (input_ids.dim() != 2 || attention_mask.shape() != input_ids.shape())
    throw Error("T5 encoder: input_ids " + input_ids.to_string() + " and attention_mask " + attention_mask.to_string() +
                " must both be [batch, length]");
  const int64_t len = input_ids.size(1);
  Tensor x = tensor::embedding(shared_, input_ids.to(device_));

  tensor::AttentionOptions attn;
  attn.scale = 1.0;  // T5 folds the scaling into its initialisation
  attn.bias = tensor::add(position_bias(len, len), padding_mask_bias(attention_mask)).to(device_);
  const double eps = config_.layer_norm_epsilon;
  for (const Block& block : blocks_) {
    Tensor h = tensor::rms_norm(x, block.attention_norm, eps);
    std::vector<Tensor> qkv = tensor::chunk(block.qkv(h), 3, -1);
    Tensor q = split_heads(qkv[0], config_.num_heads);
    Tensor k = split_heads(qkv[1], config_.num_heads);
    Tensor v = split_heads(qkv[2], config_.num_heads);
    x = tensor::add(x, block.o(merge_heads(tensor::attention(q, k, v, attn))));

    h = tensor::rms_norm(x, block.ffn_norm, eps);
    Tensor inner;
    if (config_.is_gated_act) {
      std::vector<Tensor> gate_up = tensor::chunk(block.wi_01(h), 2, -1);  // wi_0(h), wi_1(h)
      inner = tensor::mul(apply_activation(gate_up[0], config_.dense_act_fn), gate_up[1]);
    } else {
      inner = apply_activation(block.wi(h), config_.dense_act_fn);
    }
    x = tensor::add(x, block.wo(inner));
  }
  return tensor::rms_norm(x, final_norm_, eps);
}

}  // namespace foley::models
