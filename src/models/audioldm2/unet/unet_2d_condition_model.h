#pragma once

#include <filesystem>
#include <vector>

#include "models/audioldm2/unet/timestep_embedding.h"
#include "models/audioldm2/unet/unet_2d_blocks.h"
#include "models/audioldm2/unet/unet_config.h"

namespace foley::models {

// diffusers' AudioLDM2UNet2DConditionModel (base/music and large layouts):
// conv_in → time embedding → down blocks → mid block → up blocks (skip
// concatenation, resize-to-skip when the latent is not a multiple of the total
// down factor) → GN → SiLU → conv_out. Weights are views of the mmapped
// safetensors file, looked up by their diffusers names.
class AudioLDM2UNet2DConditionModel {
 public:
  // Loads `<dir>/config.json` and the weights in `dir` (e.g. `<model>/unet`).
  // Throws foley::Error naming the file/tensor on anything missing or mis-shaped.
  // `placement` says where the weights go (the CPU by default).
  static AudioLDM2UNet2DConditionModel load(const std::filesystem::path& dir, const tensor::Placement& placement = {});
  static AudioLDM2UNet2DConditionModel load(const UNetConfig& config, const tensor::WeightMap& weights);

  // The noise prediction for `sample` [B, in_channels, T, F] at `timestep`.
  // encoder_hidden_states: GPT-2 vectors [B, N, cross_dim]; encoder_hidden_states_1:
  // T5 states [B, L, cross_dim_1]; encoder_attention_mask_1: 0/1 [B, L] (integer
  // or float; undefined = all ones). Inputs may be on any device; returns
  // [B, out_channels, T, F] on device().
  tensor::Tensor forward(const tensor::Tensor& sample, double timestep, const tensor::Tensor& encoder_hidden_states,
                         const tensor::Tensor& encoder_hidden_states_1,
                         const tensor::Tensor& encoder_attention_mask_1) const;

  // Whether rows that repeat in the sample (classifier-free guidance's doubled
  // latents, in any order, next to rows without guidance) run once up to the
  // first layer that reads the conditioning (conv_in, the first down block, and
  // on AudioLDM 2 the next resnet and self-only transformer), then are copied
  // to every row they stand for. On by default; the output is the batch's
  // either way, within rounding (a layer may sum in another order at another
  // batch size).
  void set_share_repeated_rows(bool share) { share_repeated_rows_ = share; }

  const UNetConfig& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

 private:
  UNetConfig config_;
  tensor::Device device_;
  Conv2d conv_in_, conv_out_;
  TimestepEmbedding time_embedding_;
  std::vector<DownBlock2D> down_blocks_;
  UNetMidBlock2DCrossAttn mid_block_;
  std::vector<UpBlock2D> up_blocks_;
  GroupNorm conv_norm_out_;
  bool share_repeated_rows_ = true;
};

// The UNet's additive T5 padding bias: (1 - mask) * -10000, as [B, 1, 1, L]
// on the CPU (the mask, on any device, is read on the host).
tensor::Tensor t5_padding_bias(const tensor::Tensor& attention_mask);

}  // namespace foley::models
