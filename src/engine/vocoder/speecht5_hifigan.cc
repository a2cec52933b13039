#include "engine/vocoder/speecht5_hifigan.h"

#include "common/error.h"

namespace foley::engine {

using tensor::DType;
using tensor::Tensor;

SpeechT5HifiGan::Conv SpeechT5HifiGan::load_conv(const tensor::WeightMap& w, const std::string& prefix, int64_t in,
                                                 int64_t out, int64_t kernel, int64_t dilation) {
  Conv c;
  c.weight = w.get(prefix + ".weight", {out, in, kernel}, DType::kF32);
  c.bias = w.get(prefix + ".bias", {out}, DType::kF32);
  c.options.dilation = dilation;
  c.options.padding = (kernel * dilation - dilation) / 2;
  return c;
}

SpeechT5HifiGan SpeechT5HifiGan::load(const std::filesystem::path& dir) {
  return load(HifiGanConfig::load(dir / "config.json"), tensor::WeightMap::load_dir(dir));
}

SpeechT5HifiGan SpeechT5HifiGan::load(const HifiGanConfig& c, const tensor::WeightMap& w) {
  SpeechT5HifiGan v;
  v.config_ = c;
  const int64_t c0 = c.upsample_initial_channel;
  v.conv_pre_ = load_conv(w, "conv_pre", c.model_in_dim, c0, 7, 1);
  for (size_t i = 0; i < c.upsample_rates.size(); ++i) {
    const int64_t in = c0 >> i, out = c0 >> (i + 1);
    const int64_t k = c.upsample_kernel_sizes[i], u = c.upsample_rates[i];
    Upsampler up;
    up.weight = w.get("upsampler." + std::to_string(i) + ".weight", {in, out, k}, DType::kF32);
    up.bias = w.get("upsampler." + std::to_string(i) + ".bias", {out}, DType::kF32);
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
    v.mean_ = w.get("mean", {c.model_in_dim}, DType::kF32);
    v.scale_ = w.get("scale", {c.model_in_dim}, DType::kF32);
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
  Tensor x = batched ? mel : mel.unsqueeze(0);
  if (x.dim() != 3 || x.size(2) != config_.model_in_dim)
    throw Error("vocoder: mel must be [B, T, " + std::to_string(config_.model_in_dim) + "], got " + mel.to_string());
  if (config_.normalize_before) x = tensor::div(tensor::sub(x, mean_), scale_);
  Tensor h = conv_pre_(x.transpose(1, 2));
  const size_t kernels = config_.resblock_kernel_sizes.size();
  const double slope = config_.leaky_relu_slope;
  for (size_t i = 0; i < upsamplers_.size(); ++i) {
    const auto& up = upsamplers_[i];
    h = tensor::conv_transpose1d(tensor::leaky_relu(h, slope), up.weight, up.bias, up.options);
    Tensor sum;
    for (size_t j = 0; j < kernels; ++j) {
      const ResBlock& rb = resblocks_[i * kernels + j];
      Tensor r = h;
      for (size_t d = 0; d < rb.convs1.size(); ++d) {
        Tensor y = rb.convs1[d](tensor::leaky_relu(r, slope));
        y = rb.convs2[d](tensor::leaky_relu(y, slope));
        r = tensor::add(y, r);
      }
      sum = sum.defined() ? tensor::add(sum, r) : r;
    }
    h = tensor::scale(sum, 1.0 / static_cast<double>(kernels));
  }
  h = tensor::tanh(conv_post_(tensor::leaky_relu(h, 0.01)));  // F.leaky_relu's default slope
  Tensor wave = h.squeeze(1);
  return batched ? wave : wave.squeeze(0);
}

}  // namespace foley::engine
