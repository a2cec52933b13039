#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "models/nn/resnet_block_2d.h"
#include "models/nn/sampling_2d.h"
#include "models/audioldm2/vae/vae_attention_block.h"
#include "models/audioldm2/vae/vae_config.h"

namespace foley::models {

// The decoder half of diffusers' AutoencoderKL: post_quant_conv → conv_in →
// mid (resnet, attention, resnet) → up blocks (layers_per_block + 1 resnets,
// nearest 2x + conv between levels) → GN → SiLU → conv_out. All GroupNorms
// use eps 1e-6. Weights by their diffusers names (`decoder.*`,
// `post_quant_conv.*`); the encoder is never loaded.
class AutoencoderKLDecoder {
 public:
  // Loads `<dir>/config.json` and the weights in `dir` onto `placement`.
  static AutoencoderKLDecoder load(const std::filesystem::path& dir, const tensor::Placement& placement = {});
  static AutoencoderKLDecoder load(const VaeConfig& config, const tensor::WeightMap& weights);

  // vae.decode(z).sample for z = latents / scaling_factor [B, C_lat, T, F]
  // → [B, out_channels, T·s, F·s] (s = config().scale_factor()) on device();
  // z may be on any device.
  tensor::Tensor decode(const tensor::Tensor& z) const;

  // decode() over time windows of `chunk_frames` latent frames, each decoded
  // with `overlap_frames` extra frames of context on both sides that are cut
  // off afterwards, so peak memory follows the chunk, not the clip. Not bit-
  // identical to decode(): the mid-block attention and the GroupNorm
  // statistics see only the window (tests state the measured difference).
  // chunk_frames >= T (or <= 0) is the same as decode().
  tensor::Tensor decode_chunked(const tensor::Tensor& z, int64_t chunk_frames, int64_t overlap_frames) const;

  const VaeConfig& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

 private:
  VaeConfig config_;
  tensor::Device device_;
  std::optional<Conv2d> post_quant_conv_;
  Conv2d conv_in_, conv_out_;
  std::vector<ResnetBlock2D> mid_resnets_;
  std::optional<VaeAttentionBlock> mid_attention_;
  struct UpDecoderBlock {
    std::vector<ResnetBlock2D> resnets;
    std::optional<Upsample2D> upsampler;
  };
  std::vector<UpDecoderBlock> up_blocks_;
  GroupNorm conv_norm_out_;
};

}  // namespace foley::models
