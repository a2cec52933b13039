#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/audioldm2/unet/cross_attention_slots.h"
#include "models/nn/resnet_block_2d.h"
#include "models/nn/sampling_2d.h"

namespace foley::models {

// Shared construction parameters of the UNet's blocks.
struct BlockParams {
  int64_t temb_channels = 512;
  int64_t groups = 32;
  double eps = 1e-5;
  TransformerSlots slots;  // slots.cross_attention_dim empty = no attention (Down/UpBlock2D)
};

// DownBlock2D / CrossAttnDownBlock2D: `layers` × [resnet, transformer group],
// then an optional Downsample2D. Every layer output (and the downsample's) is
// pushed onto the skip stack.
class DownBlock2D {
 public:
  static DownBlock2D load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                          int64_t layers, bool add_downsample, const BlockParams& p);
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& temb, const UNetConditioning& cond,
                            std::vector<tensor::Tensor>& skips) const;

 private:
  std::vector<ResnetBlock2D> resnets_;
  std::vector<TransformerGroup> attentions_;
  std::optional<Downsample2D> downsampler_;
};

// UNetMidBlock2DCrossAttn: resnet, then one [transformer group, resnet].
class UNetMidBlock2DCrossAttn {
 public:
  static UNetMidBlock2DCrossAttn load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels,
                                      const BlockParams& p);
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& temb, const UNetConditioning& cond) const;

 private:
  std::vector<ResnetBlock2D> resnets_;
  TransformerGroup attention_;
};

// UpBlock2D / CrossAttnUpBlock2D: `layers` × [concat(h, skips.pop()) on
// channels, resnet, transformer group], then an optional Upsample2D to
// (out_h, out_w).
class UpBlock2D {
 public:
  // in = the channels of the matching down level's input, prev_out = the
  // channels coming from below.
  static UpBlock2D load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                        int64_t prev_out, int64_t layers, bool add_upsample, const BlockParams& p);
  tensor::Tensor operator()(const tensor::Tensor& x, const tensor::Tensor& temb, const UNetConditioning& cond,
                            std::vector<tensor::Tensor>& skips, int64_t out_h, int64_t out_w) const;
  bool has_upsampler() const { return upsampler_.has_value(); }
  // The skips this block pops.
  size_t num_resnets() const { return resnets_.size(); }

 private:
  std::vector<ResnetBlock2D> resnets_;
  std::vector<TransformerGroup> attentions_;
  std::optional<Upsample2D> upsampler_;
};

}  // namespace foley::models
