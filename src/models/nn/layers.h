#pragma once

#include <string>

#include "tensor/ops.h"
#include "tensor/safetensors.h"
#include "tensor/tensor.h"

namespace foley::models {

// Small building blocks shared by the text models. Weights are f32 views of
// the mmapped file when stored in f32 (zero-copy), converted copies otherwise.

// torch.nn.Linear: weight [out, in], optional bias [out].
struct Linear {
  tensor::Tensor weight;
  tensor::Tensor bias;

  // Loads `prefix`.weight (and `prefix`.bias when has_bias), checking shapes.
  static Linear load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                     bool has_bias = true);
  tensor::Tensor operator()(const tensor::Tensor& x) const { return tensor::linear(x, weight, bias); }
};

// transformers' Conv1D (GPT-2): weight [in, out], bias [out]; y = x W + b.
struct Conv1D {
  tensor::Tensor weight;
  tensor::Tensor bias;

  static Conv1D load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out);
  tensor::Tensor operator()(const tensor::Tensor& x) const;
};

// torch.nn.LayerNorm with affine weight and bias [D].
struct LayerNorm {
  tensor::Tensor weight;
  tensor::Tensor bias;
  double eps = 1e-5;

  static LayerNorm load(const tensor::WeightMap& w, const std::string& prefix, int64_t dim, double eps);
  tensor::Tensor operator()(const tensor::Tensor& x) const { return tensor::layer_norm(x, weight, bias, eps); }
};

// [B, L, H*D] → [B, H, L, D].
tensor::Tensor split_heads(const tensor::Tensor& x, int64_t heads);
// [B, H, L, D] → [B, L, H*D].
tensor::Tensor merge_heads(const tensor::Tensor& x);

// The additive key-padding bias transformers builds from a 0/1 mask [B, L]:
// (1 - mask) * finfo(float32).min, shaped [B, 1, 1, L], on the CPU (the mask
// is read on the host; callers move the bias to their device).
tensor::Tensor padding_mask_bias(const tensor::Tensor& attention_mask);

}  // namespace foley::models
