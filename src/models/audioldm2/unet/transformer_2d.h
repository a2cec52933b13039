#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/nn/attention.h"
#include "models/nn/layers_2d.h"

namespace foley::models {

// diffusers' BasicTransformerBlock (layer_norm, eps 1e-5, GEGLU feed-forward):
// h += attn1(LN1 h); h += attn2(LN2 h, context, bias); h += FF(LN3 h).
// With no cross-attention width (double_self_attention) attn2 is a second
// self-attention and gets no context.
class BasicTransformerBlock {
 public:
  static BasicTransformerBlock load(const tensor::WeightMap& w, const std::string& prefix, int64_t dim,
                                    std::optional<int64_t> cross_attention_dim, int64_t heads);
  // x [B, L, dim]; context [B, Lk, cross_dim] (undefined for a self-only block).
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& context,
                            const tensor::Tensor& bias) const;

 private:
  LayerNorm norm1_, norm2_, norm3_;
  Attention attn1_, attn2_;
  Linear ff_proj_, ff_out_;  // ff.net.0.proj (dim → 8 dim), ff.net.2 (4 dim → dim)
};

// diffusers' Transformer2DModel, continuous input with conv projections:
// GN(groups, eps 1e-6) → proj_in 1x1 → tokens → blocks → proj_out 1x1 → + x;
// the 1x1 projections run as linear layers on the tokens (the same sums).
class Transformer2DModel {
 public:
  static Transformer2DModel load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels,
                                 std::optional<int64_t> cross_attention_dim, int64_t heads, int64_t layers,
                                 int64_t groups);
  // x [B, C, H, W]; context/bias as BasicTransformerBlock.
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& context,
                            const tensor::Tensor& bias) const;
  bool is_cross_attention() const { return cross_attention_; }

 private:
  GroupNorm norm_;
  Linear proj_in_, proj_out_;  // the 1x1 convolutions' weights [C, C]
  std::vector<BasicTransformerBlock> blocks_;
  bool cross_attention_ = false;
};

}  // namespace foley::models
