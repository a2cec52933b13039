#include "models/audioldm2/unet/transformer_2d.h"

namespace foley::models {

using tensor::Tensor;

BasicTransformerBlock BasicTransformerBlock::load(const tensor::WeightMap& w, const std::string& prefix, int64_t dim,
                                                  std::optional<int64_t> cross_attention_dim, int64_t heads) {
  BasicTransformerBlock b;
  b.norm1_ = LayerNorm::load(w, prefix + ".norm1", dim, 1e-5);
  b.attn1_ = Attention::load(w, prefix + ".attn1", dim, dim, heads);
  b.norm2_ = LayerNorm::load(w, prefix + ".norm2", dim, 1e-5);
  b.attn2_ = Attention::load(w, prefix + ".attn2", dim, cross_attention_dim.value_or(dim), heads);
  b.norm3_ = LayerNorm::load(w, prefix + ".norm3", dim, 1e-5);
  b.ff_proj_ = Linear::load(w, prefix + ".ff.net.0.proj", dim, 8 * dim);
  b.ff_out_ = Linear::load(w, prefix + ".ff.net.2", 4 * dim, dim);
  return b;
}

Tensor BasicTransformerBlock::operator()(const Tensor& x, const Tensor& context, const Tensor& bias) const {
  Tensor h = tensor::add(attn1_(norm1_(x)), x);
  h = tensor::add(attn2_(norm2_(h), context, bias), h);
  return tensor::add(ff_out_(tensor::geglu(ff_proj_(norm3_(h)))), h);
}

Transformer2DModel Transformer2DModel::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels,
                                            std::optional<int64_t> cross_attention_dim, int64_t heads,
                                            int64_t layers, int64_t groups) {
  Transformer2DModel t;
  t.norm_ = GroupNorm::load(w, prefix + ".norm", channels, groups, 1e-6);
  t.proj_in_ = Conv2d::load(w, prefix + ".proj_in", channels, channels, 1);
  for (int64_t i = 0; i < layers; ++i)
    t.blocks_.push_back(BasicTransformerBlock::load(w, prefix + ".transformer_blocks." + std::to_string(i), channels,
                                                    cross_attention_dim, heads));
  t.proj_out_ = Conv2d::load(w, prefix + ".proj_out", channels, channels, 1);
  t.cross_attention_ = cross_attention_dim.has_value();
  return t;
}

Tensor Transformer2DModel::operator()(const Tensor& x, const Tensor& context, const Tensor& bias) const {
  const int64_t height = x.size(2), width = x.size(3);
  Tensor h = image_to_tokens(proj_in_(norm_(x)));
  const Tensor none;
  for (const auto& block : blocks_) h = block(h, cross_attention_ ? context : none, cross_attention_ ? bias : none);
  return tensor::add(proj_out_(tokens_to_image(h, height, width)), x);
}

}  // namespace foley::models
