#include "models/audioldm2/vae/vae_attention_block.h"

namespace foley::models {

using tensor::Tensor;

VaeAttentionBlock VaeAttentionBlock::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels,
                                          int64_t groups, double eps) {
  VaeAttentionBlock a;
  a.group_norm_ = GroupNorm::load(w, prefix + ".group_norm", channels, groups, eps);
  a.to_q_ = Linear::load(w, prefix + ".to_q", channels, channels);
  a.to_k_ = Linear::load(w, prefix + ".to_k", channels, channels);
  a.to_v_ = Linear::load(w, prefix + ".to_v", channels, channels);
  a.to_out_ = Linear::load(w, prefix + ".to_out.0", channels, channels);
  return a;
}

Tensor VaeAttentionBlock::operator()(const Tensor& x) const {
  const int64_t height = x.size(2), width = x.size(3);
  Tensor tokens = image_to_tokens(group_norm_(x));  // [B, HW, C]
  Tensor q = to_q_(tokens).unsqueeze(1), k = to_k_(tokens).unsqueeze(1), v = to_v_(tokens).unsqueeze(1);
  Tensor out = to_out_(tensor::attention(q, k, v).squeeze(1));
  return tensor::add(tokens_to_image(out, height, width), x);
}

}  // namespace foley::models
