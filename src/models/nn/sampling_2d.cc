#include "models/nn/sampling_2d.h"

namespace foley::models {

using tensor::Tensor;

Downsample2D Downsample2D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels) {
  Downsample2D d;
  d.conv_ = Conv2d::load(w, prefix + ".conv", channels, channels, 3, /*stride=*/2, /*padding=*/1);
  return d;
}

Upsample2D Upsample2D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels) {
  Upsample2D u;
  u.conv_ = Conv2d::load(w, prefix + ".conv", channels, channels, 3);
  return u;
}

Tensor Upsample2D::operator()(const Tensor& x, int64_t out_h, int64_t out_w) const {
  return conv_(tensor::upsample_nearest2d(x, out_h, out_w));
}

}  // namespace foley::models
