#pragma once

#include <vector>

#include "models/clap/clap_audio_config.h"
#include "models/clap/clap_audio_layers.h"

namespace foley::models {

// The audio branch of transformers' ClapModel as get_audio_features computes
// it: HTSAT (ClapAudioEncoder: batch norm over mel bins, the spectrogram
// reshaped into a square image after a bicubic time resize, patch embedding
// with optional fusion, Swin stages with shifted windows and patch merging,
// LayerNorm, average pool), then audio_projection (linear-act-linear) and
// F.normalize. Weight names are those of a ClapModel state dict
// (audio_model.audio_encoder.*, audio_projection.*).
class ClapAudioModel {
 public:
  // Loads every weight of the branch, checking shapes against the config.
  // Throws foley::Error naming a missing or mis-shaped tensor.
  static ClapAudioModel load(const ClapAudioConfig& config, const tensor::WeightMap& weights);

  // input_features f32 [B, C, T, num_mel_bins] (ClapFeatureExtractor's
  // output; C = 4 with fusion), is_longer one flag per clip (read only with
  // fusion) → pooled output [B, hidden_size] (the encoder's pooler_output).
  tensor::Tensor pooled_output(const tensor::Tensor& input_features, const std::vector<bool>& is_longer) const;

  // → audio_embeds [B, projection_dim] on device(), unit vectors.
  tensor::Tensor get_audio_features(const tensor::Tensor& input_features, const std::vector<bool>& is_longer) const;

  const ClapAudioConfig& config() const { return config_; }
  tensor::Device device() const { return device_; }

 private:
  struct Stage {
    std::vector<ClapAudioLayer> blocks;
    bool has_downsample = false;
    ClapAudioPatchMerging downsample;
  };

  // reshape_mel2img: [B, C, T, F] → [B, C, F * freq_ratio, spec_width / freq_ratio].
  tensor::Tensor reshape_mel2img(const tensor::Tensor& x) const;

  ClapAudioConfig config_;
  tensor::Device device_;
  BatchNorm2d batch_norm_;
  ClapAudioPatchEmbed patch_embed_;
  std::vector<Stage> stages_;
  LayerNorm norm_;
  Linear projection1_, projection2_;
};

// The [out_length, in_length] matrix of torch's bicubic resize
// (interpolate(mode="bicubic", align_corners=True), A = -0.75, edge indices
// clamped) along one axis: out = M @ in. Row-major f32 on the CPU.
tensor::Tensor bicubic_resize_matrix(int64_t in_length, int64_t out_length);

}  // namespace foley::models
