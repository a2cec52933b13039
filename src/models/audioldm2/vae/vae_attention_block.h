#pragma once

#include <string>

#include "models/nn/layers.h"
#include "models/nn/layers_2d.h"

namespace foley::models {

// The VAE mid-block attention (diffusers Attention with a group norm, one
// head of C dims, biased q/k/v/out, residual): x + out(attn(GN(x))).
class VaeAttentionBlock {
 public:
  static VaeAttentionBlock load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels,
                                int64_t groups, double eps);
  // x [B, C, H, W] → same shape.
  tensor::Tensor operator()(const tensor::Tensor& x) const;

 private:
  GroupNorm group_norm_;
  Linear to_q_, to_k_, to_v_, to_out_;
};

}  // namespace foley::models
