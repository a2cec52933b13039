#pragma once

#include <string>

#include "models/nn/layers_2d.h"

namespace foley::models {

// diffusers' Downsample2D with a conv: 3x3, stride 2, padding 1 (H → ceil(H/2)).
class Downsample2D {
 public:
  static Downsample2D load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels);
  tensor::Tensor operator()(const tensor::Tensor& x) const { return conv_(x); }

 private:
  Conv2d conv_;
};

// diffusers' Upsample2D with a conv: nearest resize to (out_h, out_w) (2x,
// or the skip's size when the latent is not a multiple of the UNet's total
// down factor), then 3x3 conv.
class Upsample2D {
 public:
  static Upsample2D load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels);
  tensor::Tensor operator()(const tensor::Tensor& x, int64_t out_h, int64_t out_w) const;

 private:
  Conv2d conv_;
};

}  // namespace foley::models
