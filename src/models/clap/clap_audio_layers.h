#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/clap/clap_audio_config.h"
#include "models/nn/layers.h"
#include "models/nn/layers_2d.h"

namespace foley::models {

// The blocks of transformers' HTSAT audio encoder (modeling_clap.py), one
// struct per module, named as there. Weight prefixes are the state-dict names
// under audio_model.audio_encoder.

// ClapAudioAFFBlock: attentional feature fusion of the global patch embedding
// with the local one (1x1 convolutions with batch norm, a local and a pooled
// global branch, a sigmoid gate).
struct ClapAudioAFFBlock {
  Conv2d local_conv1, local_conv2, global_conv1, global_conv2;
  BatchNorm2d local_bn1, local_bn2, global_bn1, global_bn2;

  static ClapAudioAFFBlock load(const tensor::WeightMap& w, const std::string& prefix, const ClapAudioConfig& c);
  // hidden_states, residual [B, C, H, W] → 2 x w + 2 r (1 - w).
  tensor::Tensor operator()(const tensor::Tensor& hidden_states, const tensor::Tensor& residual) const;
};

// ClapAudioPatchEmbed: the spectrogram image to patch tokens (conv, flatten,
// LayerNorm); with fusion, clips marked longer fuse their three local crops
// (mel_conv2d over a 3x wider stride) into the global embedding.
struct ClapAudioPatchEmbed {
  tensor::Tensor proj_weight, proj_bias, mel_conv_weight, mel_conv_bias;
  tensor::Conv2dOptions proj_options, mel_conv_options;
  LayerNorm norm;  // undefined weight when enable_patch_layer_norm is false
  bool enable_fusion = false;
  ClapAudioAFFBlock fusion_model;

  static ClapAudioPatchEmbed load(const tensor::WeightMap& w, const std::string& prefix, const ClapAudioConfig& c);
  // x [B, C, spec, spec] (C = 1, or 4 with fusion) → tokens [B, grid_h*grid_w, patch_embeds_hidden_size].
  tensor::Tensor operator()(const tensor::Tensor& x, const std::vector<bool>& is_longer) const;
};

// ClapAudioLayer: a Swin block on an H x W token grid: LayerNorm, (shifted)
// window attention with the relative position bias, residual, LayerNorm, MLP,
// residual. The bias (and the shifted-window mask) is built once at load for
// the layer's fixed resolution.
class ClapAudioLayer {
 public:
  static ClapAudioLayer load(const tensor::WeightMap& w, const std::string& prefix, const ClapAudioConfig& c,
                             int64_t dim, int64_t heads, int64_t height, int64_t width, int64_t shift_size);
  // x [B, H*W, dim] → [B, H*W, dim].
  tensor::Tensor operator()(const tensor::Tensor& x) const;

 private:
  LayerNorm layernorm_before_, layernorm_after_;
  Linear qkv_;  // query, key and value fused into one GEMM (rows in that order)
  Linear attention_output_, intermediate_, output_;
  Activation act_ = Activation::kGelu;
  tensor::Tensor bias_;  // [nW or 1, heads, N, N]: relative position bias (+ shift mask)
  int64_t heads_ = 1, height_ = 0, width_ = 0, window_ = 0, shift_ = 0;
};

// ClapAudioPatchMerging: 2x2 neighbours concatenated, LayerNorm, a linear
// reduction 4C → 2C (no bias).
struct ClapAudioPatchMerging {
  LayerNorm norm;
  Linear reduction;
  int64_t height = 0, width = 0;

  static ClapAudioPatchMerging load(const tensor::WeightMap& w, const std::string& prefix, int64_t dim,
                                    int64_t height, int64_t width);
  // x [B, H*W, C] → [B, ceil(H/2)*ceil(W/2), 2C].
  tensor::Tensor operator()(const tensor::Tensor& x) const;
};

}  // namespace foley::models
