#include "models/audioldm2/unet/unet_2d_blocks.h"

#include "common/error.h"

namespace foley::models {

using tensor::Tensor;

DownBlock2D DownBlock2D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                              int64_t layers, bool add_downsample, const BlockParams& p) {
  DownBlock2D b;
  for (int64_t i = 0; i < layers; ++i) {
    b.resnets_.push_back(ResnetBlock2D::load(w, prefix + ".resnets." + std::to_string(i), i == 0 ? in : out, out,
                                             p.temb_channels, p.groups, p.eps));
    if (!p.slots.cross_attention_dim.empty()) b.attentions_.push_back(TransformerGroup::load(w, prefix, i, out, p.slots));
  }
  if (add_downsample) b.downsampler_ = Downsample2D::load(w, prefix + ".downsamplers.0", out);
  return b;
}

Tensor DownBlock2D::operator()(const Tensor& x, const Tensor& temb, const UNetConditioning& cond,
                               std::vector<Tensor>& skips) const {
  Tensor h = x;
  for (size_t i = 0; i < resnets_.size(); ++i) {
    h = resnets_[i](h, temb);
    if (!attentions_.empty()) h = attentions_[i](h, cond);
    skips.push_back(h);
  }
  if (downsampler_) {
    h = (*downsampler_)(h);
    skips.push_back(h);
  }
  return h;
}

UNetMidBlock2DCrossAttn UNetMidBlock2DCrossAttn::load(const tensor::WeightMap& w, const std::string& prefix,
                                                      int64_t channels, const BlockParams& p) {
  UNetMidBlock2DCrossAttn m;
  m.resnets_.push_back(ResnetBlock2D::load(w, prefix + ".resnets.0", channels, channels, p.temb_channels, p.groups, p.eps));
  m.attention_ = TransformerGroup::load(w, prefix, 0, channels, p.slots);
  m.resnets_.push_back(ResnetBlock2D::load(w, prefix + ".resnets.1", channels, channels, p.temb_channels, p.groups, p.eps));
  return m;
}

Tensor UNetMidBlock2DCrossAttn::operator()(const Tensor& x, const Tensor& temb, const UNetConditioning& cond) const {
  Tensor h = resnets_[0](x, temb);
  h = attention_(h, cond);
  return resnets_[1](h, temb);
}

UpBlock2D UpBlock2D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                          int64_t prev_out, int64_t layers, bool add_upsample, const BlockParams& p) {
  UpBlock2D b;
  for (int64_t i = 0; i < layers; ++i) {
    const int64_t skip = i == layers - 1 ? in : out;
    const int64_t resnet_in = i == 0 ? prev_out : out;
    b.resnets_.push_back(ResnetBlock2D::load(w, prefix + ".resnets." + std::to_string(i), resnet_in + skip, out,
                                             p.temb_channels, p.groups, p.eps));
    if (!p.slots.cross_attention_dim.empty()) b.attentions_.push_back(TransformerGroup::load(w, prefix, i, out, p.slots));
  }
  if (add_upsample) b.upsampler_ = Upsample2D::load(w, prefix + ".upsamplers.0", out);
  return b;
}

Tensor UpBlock2D::operator()(const Tensor& x, const Tensor& temb, const UNetConditioning& cond,
                             std::vector<Tensor>& skips, int64_t out_h, int64_t out_w) const {
  Tensor h = x;
  for (size_t i = 0; i < resnets_.size(); ++i) {
    if (skips.empty()) throw Error::failure("UNet up block: skip stack exhausted");
    Tensor skip = expand_rows(skips.back(), cond);  // a skip of the distinct rows, from before the conditioning
    skips.pop_back();
    h = resnets_[i](tensor::cat({h, skip}, 1), temb);
    if (!attentions_.empty()) h = attentions_[i](h, cond);
  }
  if (upsampler_) h = (*upsampler_)(h, out_h, out_w);
  return h;
}

}  // namespace foley::models
