#pragma once

#include <filesystem>
#include <vector>

#include "models/audioldm2/vocoder/hifigan_config.h"
#include "tensor/ops.h"
#include "tensor/safetensors.h"

namespace foley::models {

// transformers' SpeechT5HifiGan: conv_pre (k7) → per stage LeakyReLU(slope)
// → ConvTranspose1d upsampler → mean of the resblocks (one per kernel size;
// dilated convs with LeakyReLU(slope) before each conv, residual) → final
// LeakyReLU with torch's default slope 0.01 → conv_post (k7) → tanh.
// AudioLDM 2's config turns T mel frames into 160·T + 32 samples.
class SpeechT5HifiGan {
 public:
  // Loads `<dir>/config.json` and the weights in `dir` onto `placement`.
  static SpeechT5HifiGan load(const std::filesystem::path& dir, const tensor::Placement& placement = {});
  static SpeechT5HifiGan load(const HifiGanConfig& config, const tensor::WeightMap& weights);

  // mel [B, T, model_in_dim] (or [T, model_in_dim]), on any device → waveform
  // [B, samples] (or [samples]) on device().
  tensor::Tensor forward(const tensor::Tensor& mel) const;
  // Samples produced for T frames (160·T + 32 for AudioLDM 2).
  int64_t output_length(int64_t frames) const;

  const HifiGanConfig& config() const { return config_; }
  // Where the weights live; inputs are moved here on entry.
  tensor::Device device() const { return device_; }

 private:
  struct Conv {
    tensor::Tensor weight, bias;
    tensor::Conv1dOptions options;
    tensor::Tensor operator()(const tensor::Tensor& x) const { return tensor::conv1d(x, weight, bias, options); }
  };
  struct Upsampler {
    tensor::Tensor weight, bias;
    tensor::ConvTranspose1dOptions options;
  };
  struct ResBlock {
    std::vector<Conv> convs1, convs2;
  };
  static Conv load_conv(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out,
                        int64_t kernel, int64_t dilation);

  HifiGanConfig config_;
  tensor::Device device_;
  Conv conv_pre_, conv_post_;
  std::vector<Upsampler> upsamplers_;
  std::vector<ResBlock> resblocks_;  // stage-major: stage i uses [i·K, (i+1)·K)
  tensor::Tensor mean_, scale_;      // only with normalize_before
};

}  // namespace foley::models
