#include "models/nn/resnet_block_2d.h"

namespace foley::models {

using tensor::Tensor;

ResnetBlock2D ResnetBlock2D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                                  int64_t temb_channels, int64_t groups, double eps) {
  ResnetBlock2D r;
  r.norm1_ = GroupNorm::load(w, prefix + ".norm1", in, groups, eps);
  r.conv1_ = Conv2d::load(w, prefix + ".conv1", in, out, 3);
  if (temb_channels > 0) {
    r.time_emb_proj_ = Linear::load(w, prefix + ".time_emb_proj", temb_channels, out);
    r.has_time_emb_ = true;
  }
  r.norm2_ = GroupNorm::load(w, prefix + ".norm2", out, groups, eps);
  r.conv2_ = Conv2d::load(w, prefix + ".conv2", out, out, 3);
  if (in != out) {
    r.conv_shortcut_ = Conv2d::load(w, prefix + ".conv_shortcut", in, out, 1);
    r.has_shortcut_ = true;
  }
  return r;
}

Tensor ResnetBlock2D::operator()(const Tensor& x, const Tensor& temb) const {
  Tensor h = conv1_(norm1_.silu(x));
  if (has_time_emb_) {
    Tensor t = time_emb_proj_(tensor::silu(temb));  // [B, out]
    h = tensor::add(h, t.reshape({t.size(0), t.size(1), 1, 1}));
  }
  h = conv2_(norm2_.silu(h));
  return tensor::add(has_shortcut_ ? conv_shortcut_(x) : x, h);
}

}  // namespace foley::models
