#include "models/audioldm2/vocoder/speecht5_hifigan.h"

#include "common/error.h"

namespace foley::models {

using tensor::Tensor;

SpeechT5HifiGan::Conv SpeechT5HifiGan::load_conv(const tensor::WeightMap& w, const std::string& prefix, int64_t in,
                                                 int64_t out, int64_t kernel, int64_t dilation) {
  Conv c;
  c.weight = w.get(prefix + ".weight", {out, in, kernel});
  c.bias = w.get(prefix + ".bias", {out});
  c.options.dilation = dilation;
  c.options.padding = (kernel * dilation - dilation) / 2;
  return c;
}

SpeechT5HifiGan SpeechT5HifiGan::load(const std::filesystem::path& dir, const tensor::Placement& placement) {
  return load(HifiGanConfig::load(dir / "config.json"), tensor::WeightMap::load_dir(dir, placement));
}

SpeechT5HifiGan SpeechT5HifiGan::load(const HifiGanConfig& c, const tensor::WeightMap& w) {
  SpeechT5HifiGan v;
  v.config_ = c;
  v.device_ = w.placement().device;
  const int64_t c0 = c.upsample_initial_channel;
  v.conv_pre_ = load_conv(w, "conv_pre", c.model_in_dim, c0, 7, 1);
  for (size_t i = 0; i < c.upsample_rates.size(); ++i) {
    const int64_t in = c0 >> i, out = c0 >> (i + 1);
    const int64_t k = c.upsample_kernel_sizes[i], u = c.upsample_rates[i];
    Upsampler up;
    up.weight = w.get("upsampler." + std::to_string(i) + ".weight", {in, out, k});
    up.bias = w.get("upsampler." + std::to_string(i) + ".bias", {out});
    up.options.stride = u;
    up.options.padding = (k - u) / 2;
    v.upsamplers_.push_back(up);
    for (size_t j = 0; j < c.resblock_kernel_sizes.size(); ++j) {
      const std::string prefix = "resblocks." + std::to_string(i * c.resblock_kernel_sizes.size() + j);
      const int64_t kr = c.resblock_kernel_sizes[j];
      ResBlock rb;
      const auto& dilations = c.resblock_dilation_sizes[j];
      for (size_t d = 0; d < dilations.size(); ++d) {
        rb.convs1.push_back(load_conv(w, prefix + ".convs1." + std::to_string(d), out, out, kr, dilations[d]));
        rb.convs2.push_back(load_conv(w, prefix + ".convs2." + std::to_string(d), out, out, kr, 1));
      }
      v.resblocks_.push_back(std::move(rb));
    }
  }
  const int64_t last = c0 >> c.upsample_rates.size();
  v.conv_post_ = load_conv(w, "conv_post", last, 1, 7, 1);
  if (c.normalize_before) {
    v.mean_ = w.get("mean", {c.model_in_dim});
    v.scale_ = w.get("scale", {c.model_in_dim});
  }
  return v;
}

int64_t SpeechT5HifiGan::output_length(int64_t frames) const {
  int64_t len = frames + 6 - 7 + 1;  // conv_pre keeps the length
  for (size_t i = 0; i < upsamplers_.size(); ++i) {
    const int64_t k = upsamplers_[i].weight.size(2);
    len = (len - 1) * upsamplers_[i].options.stride - 2 * upsamplers_[i].options.padding + k;
  }
  return len;
}

Tensor SpeechT5HifiGan::forward(const Tensor& mel) const {
  const bool batched = mel.dim() == 3;
  Tensor x = batched ? mel.to(device_) : mel.to(device_).unsqueeze(0);
  if (x.dim() != 3 || x.size(2) != config_.model_in_dim)
    throw Error("vocoder: mel must be [B, T, " + std::to_string(config_.model_in_dim) + "], got " + mel.to_string());
  if (config_.normalize_before) x = tensor::div(tensor::sub(x, mean_), scale_);
  const double slope = config_.leaky_relu_slope;
  // Every activation is applied by the convolution before it: conv_pre's
  // output feeds the first upsampler (or conv_post, with F.leaky_relu's
  // default slope 0.01, when there is none).
  Tensor h = tensor::leaky_relu(conv_pre_(x.transpose(1, 2)), upsamplers_.empty() ? 0.01 : slope);
  const size_t kernels = config_.resblock_kernel_sizes.size();
  // Each stage: upsample, then the mean of the resblocks, where a resblock is
  // r += conv2(leaky(conv1(leaky(r)))) per dilation. The leaky_relus, the
  // residual adds, the sum over resblocks, the mean and the activation of the
  // next stage's input are folded into the convolutions (conv1d_fused), in the
  // order the unfused graph computes them: ((conv + bias) + r) + sum, * 1/k.
  for (size_t i = 0; i < upsamplers_.size(); ++i) {
    const auto& up = upsamplers_[i];
    h = tensor::conv_transpose1d(h, up.weight, up.bias, up.options);  // h is already activated
    // The next stage's input activation: leaky_relu(slope), or F.leaky_relu's
    // default 0.01 before conv_post.
    const double next_slope = i + 1 < upsamplers_.size() ? slope : 0.01;
    Tensor sum;
    for (size_t j = 0; j < kernels; ++j) {
      const ResBlock& rb = resblocks_[i * kernels + j];
      Tensor r = h;
      for (size_t d = 0; d < rb.convs1.size(); ++d) {
        const Conv& c1 = rb.convs1[d];
        const Conv& c2 = rb.convs2[d];
        tensor::Conv1dFusion f1;
        f1.input_slope = slope;
        Tensor y = tensor::conv1d_fused(r, c1.weight, c1.bias, c1.options, f1);
        tensor::Conv1dFusion f2;
        f2.input_slope = slope;
        f2.residual = r;
        const bool block_end = d + 1 == rb.convs1.size();
        if (block_end && sum.defined()) f2.residual2 = sum;
        if (block_end && j + 1 == kernels) {
          if (kernels > 1) f2.output_scale = 1.0 / static_cast<double>(kernels);
          f2.output_slope = next_slope;
        }
        r = tensor::conv1d_fused(y, c2.weight, c2.bias, c2.options, f2);
      }
      sum = r;
    }
    h = sum;
  }
  h = tensor::tanh(conv_post_(h));
  Tensor wave = h.squeeze(1);
  return batched ? wave : wave.squeeze(0);
}

}  // namespace foley::models
