#include "models/audioldm2/unet/transformer_2d.h"

namespace foley::models {

using tensor::Tensor;

namespace {

// A 1x1 convolution's weights [C, C, 1, 1] and bias as a linear layer on tokens: the same products, but a linear
// layer's weights are packed for the GEMM once, where a 1x1 convolution's GEMM packs them on every call.
Linear pointwise_as_linear(const tensor::WeightMap& w, const std::string& prefix, int64_t channels) {
  Linear l;
  l.weight = w.get(prefix + ".weight", {channels, channels, 1, 1}).reshape({channels, channels});
  l.bias = w.get(prefix + ".bias", {channels});
  return l;
}

}  // namespace

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
  t.proj_in_ = pointwise_as_linear(w, prefix + ".proj_in", channels);
  for (int64_t i = 0; i < layers; ++i)
    t.blocks_.push_back(BasicTransformerBlock::load(w, prefix + ".transformer_blocks." + std::to_string(i), channels,
                                                    cross_attention_dim, heads));
  t.proj_out_ = pointwise_as_linear(w, prefix + ".proj_out", channels);
  t.cross_attention_ = cross_attention_dim.has_value();
  return t;
}

Tensor Transformer2DModel::operator()(const Tensor& x, const Tensor& context, const Tensor& bias) const {
  const int64_t height = x.size(2), width = x.size(3);
  Tensor h = proj_in_(image_to_tokens(norm_(x)));
  const Tensor none;
  for (const auto& block : blocks_) h = block(h, cross_attention_ ? context : none, cross_attention_ ? bias : none);
  return tensor::add(tokens_to_image(proj_out_(h), height, width), x);
}

}  // namespace foley::models
