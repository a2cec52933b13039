#pragma once

#include <string>

#include "models/nn/layers.h"

namespace foley::models {

// diffusers' Timesteps: the sinusoidal projection of a timestep, f32:
// f_i = exp(-ln(10000) i / (half - shift)), [sin(t f), cos(t f)], swapped to
// [cos, sin] when flip_sin_to_cos. Returns [batch, channels] (same t per row).
tensor::Tensor timestep_projection(double timestep, int64_t batch, int64_t channels, bool flip_sin_to_cos,
                                   double freq_shift);

// diffusers' TimestepEmbedding: linear_1 → SiLU → linear_2.
class TimestepEmbedding {
 public:
  static TimestepEmbedding load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out);
  tensor::Tensor operator()(const tensor::Tensor& projection) const;

 private:
  Linear linear_1_, linear_2_;
};

}  // namespace foley::models
