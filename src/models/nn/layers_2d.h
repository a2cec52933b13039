#pragma once

#include <string>

#include "tensor/ops.h"
#include "tensor/safetensors.h"

namespace foley::models {

// torch.nn.Conv2d with square kernel, bias, zero padding (UNet and VAE).
struct Conv2d {
  tensor::Tensor weight;  // [out, in, k, k]
  tensor::Tensor bias;    // [out]
  int64_t stride = 1;
  int64_t padding = 0;

  // Loads `prefix`.weight/.bias, checking the shapes against in/out/kernel.
  static Conv2d load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out, int64_t kernel,
                     int64_t stride = 1, int64_t padding = -1 /* = kernel / 2 */);
  tensor::Tensor operator()(const tensor::Tensor& x) const;
};

// torch.nn.GroupNorm with affine weight/bias [C].
struct GroupNorm {
  tensor::Tensor weight;
  tensor::Tensor bias;
  int64_t groups = 32;
  double eps = 1e-5;

  static GroupNorm load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels, int64_t groups,
                        double eps);
  tensor::Tensor operator()(const tensor::Tensor& x) const {
    return tensor::group_norm(x, groups, weight, bias, eps);
  }
  // silu(norm(x)) in one pass (equal to composing them).
  tensor::Tensor silu(const tensor::Tensor& x) const { return tensor::group_norm_silu(x, groups, weight, bias, eps); }
};

// torch.nn.BatchNorm2d in eval mode: the running statistics folded, as torch
// folds them, into a per-channel scale w / sqrt(var + eps) and shift
// b - mean * scale (computed in double), applied over dim 1 of [N, C, ...].
struct BatchNorm2d {
  tensor::Tensor scale;  // [C, 1, 1]
  tensor::Tensor shift;  // [C, 1, 1]

  // Loads `prefix`.weight/.bias/.running_mean/.running_var ([C] each).
  static BatchNorm2d load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels, double eps = 1e-5);
  tensor::Tensor operator()(const tensor::Tensor& x) const { return tensor::add(tensor::mul(x, scale), shift); }
};

// [B, C, H, W] → [B, H·W, C] (tokens row-major over H then W) and back.
tensor::Tensor image_to_tokens(const tensor::Tensor& x);
tensor::Tensor tokens_to_image(const tensor::Tensor& tokens, int64_t height, int64_t width);

}  // namespace foley::models
