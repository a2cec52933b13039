#pragma once

#include <string>

#include "models/nn/layers.h"
#include "models/nn/layers_2d.h"

namespace foley::models {

// diffusers' ResnetBlock2D ("default" time-scale shift, output scale 1, no
// dropout): h = conv1(SiLU(GN1(x))) [+ time_emb_proj(SiLU(temb))],
// h = conv2(SiLU(GN2(h))), out = shortcut(x) + h with a 1x1 conv_shortcut
// when the channel count changes. The VAE's blocks have no time embedding.
class ResnetBlock2D {
 public:
  // temb_channels = 0: no time_emb_proj (VAE).
  static ResnetBlock2D load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                            int64_t temb_channels, int64_t groups, double eps);

  // x [B, in, H, W], temb [B, temb_channels] (undefined without one) → [B, out, H, W].
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& temb = {}) const;

 private:
  GroupNorm norm1_, norm2_;
  Conv2d conv1_, conv2_;
  Linear time_emb_proj_;
  bool has_time_emb_ = false;
  Conv2d conv_shortcut_;
  bool has_shortcut_ = false;
};

}  // namespace foley::models
