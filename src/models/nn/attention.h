#pragma once

#include <string>

#include "models/nn/layers.h"

namespace foley::models {

// diffusers' Attention with AttnProcessor2_0 as the AudioLDM 2 UNet uses it:
// to_q/to_k/to_v without bias, to_out.0 with bias, `heads` heads of
// query_dim/heads, softmax(q k^T / sqrt(head_dim) + bias) v.
class Attention {
 public:
  // context_dim = query_dim for self-attention.
  static Attention load(const tensor::WeightMap& w, const std::string& prefix, int64_t query_dim,
                        int64_t context_dim, int64_t heads);

  // x [B, Lq, query_dim]; context [B, Lk, context_dim] or undefined (self-
  // attention); bias additive [B, 1, 1, Lk] or undefined.
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& context = {},
                            const tensor::Tensor& bias = {}) const;

 private:
  Linear to_q_, to_k_, to_v_, to_out_;
  int64_t heads_ = 8;
};

}  // namespace foley::models
