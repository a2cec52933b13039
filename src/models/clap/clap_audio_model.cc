#include "models/clap/clap_audio_model.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "models/nn/activation_ops.h"

namespace foley::models {

using tensor::Tensor;

namespace {

const char kEncoder[] = "audio_model.audio_encoder.";

double cubic_near(double x, double a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
double cubic_far(double x, double a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

}  // namespace

Tensor bicubic_resize_matrix(int64_t in_length, int64_t out_length) {
  std::vector<float> m(static_cast<size_t>(in_length * out_length), 0.0f);
  // torch computes the source coordinate in float: scale = (in - 1) / (out - 1).
  const float scale = out_length > 1 ? static_cast<float>(in_length - 1) / static_cast<float>(out_length - 1) : 0.0f;
  const double a = -0.75;
  for (int64_t o = 0; o < out_length; ++o) {
    const float src = scale * static_cast<float>(o);
    const auto idx = static_cast<int64_t>(std::floor(src));
    const double t = static_cast<double>(src - static_cast<float>(idx));
    const double w[4] = {cubic_far(t + 1, a), cubic_near(t, a), cubic_near(1 - t, a), cubic_far(2 - t, a)};
    for (int k = 0; k < 4; ++k) {
      const int64_t i = std::clamp<int64_t>(idx - 1 + k, 0, in_length - 1);
      m[static_cast<size_t>(o * in_length + i)] += static_cast<float>(w[k]);
    }
  }
  return Tensor::from_vector(m, {out_length, in_length});
}

ClapAudioModel ClapAudioModel::load(const ClapAudioConfig& config, const tensor::WeightMap& w) {
  ClapAudioModel m;
  m.config_ = config;
  m.device_ = w.placement().device;
  const std::string e = kEncoder;
  m.batch_norm_ = BatchNorm2d::load(w, e + "batch_norm", config.num_mel_bins);
  m.patch_embed_ = ClapAudioPatchEmbed::load(w, e + "patch_embed.", config);
  int64_t height = config.spec_size / config.patch_stride[0], width = config.spec_size / config.patch_stride[1];
  for (size_t i = 0; i < config.depths.size(); ++i) {
    Stage stage;
    const int64_t dim = config.stage_dim(i);
    // input_resolutions: the patch grid halved (floor) per stage.
    const int64_t h = height >> i, wd = width >> i;
    for (int64_t j = 0; j < config.depths[i]; ++j) {
      const std::string p = e + "layers." + std::to_string(i) + ".blocks." + std::to_string(j) + ".";
      const int64_t shift = j % 2 == 0 ? 0 : config.window_size / 2;
      stage.blocks.push_back(ClapAudioLayer::load(w, p, config, dim, config.num_attention_heads[i], h, wd, shift));
    }
    if (i + 1 < config.depths.size()) {
      stage.has_downsample = true;
      stage.downsample =
          ClapAudioPatchMerging::load(w, e + "layers." + std::to_string(i) + ".downsample.", dim, h, wd);
      if ((h + 1) / 2 != (height >> (i + 1)) || (wd + 1) / 2 != (width >> (i + 1)))
        throw Error(w.source().string() + ": an odd patch grid (" + std::to_string(h) + "x" + std::to_string(wd) +
                    ") at stage " + std::to_string(i) + " does not match transformers' input resolutions");
    }
    m.stages_.push_back(std::move(stage));
  }
  m.norm_ = LayerNorm::load(w, e + "norm", config.hidden_size, 1e-5);
  m.projection1_ = Linear::load(w, "audio_projection.linear1", config.hidden_size, config.projection_dim);
  m.projection2_ = Linear::load(w, "audio_projection.linear2", config.projection_dim, config.projection_dim);
  return m;
}

Tensor ClapAudioModel::reshape_mel2img(const Tensor& x) const {
  const int64_t b = x.size(0), c = x.size(1), t = x.size(2), f = x.size(3);
  const int64_t ratio = config_.freq_ratio();
  const int64_t spec_width = config_.spec_size * ratio, spec_height = config_.spec_size / ratio;
  if (t > spec_width || f > spec_height)
    throw Error("CLAP audio model: " + std::to_string(t) + " frames x " + std::to_string(f) +
                " bins exceed the model's " + std::to_string(spec_width) + " x " + std::to_string(spec_height) +
                " input (the wav size should be less than or equal to the swin input size)");
  if (f < spec_height)
    throw Error("CLAP audio model: " + std::to_string(f) + " mel bins, below spec_size / freq_ratio = " +
                std::to_string(spec_height) + ", is not implemented");
  Tensor h = x;
  if (t < spec_width) {
    // Bicubic (align_corners) along time; the bin axis keeps its size, which
    // that resize maps exactly onto itself.
    Tensor resize = bicubic_resize_matrix(t, spec_width).to(device_);
    h = tensor::linear(h.transpose(2, 3), resize).transpose(2, 3);
  }
  h = h.reshape({b, c * ratio, spec_width / ratio, f}).permute({0, 1, 3, 2});
  return h.reshape({b, c, f * ratio, spec_width / ratio});
}

Tensor ClapAudioModel::pooled_output(const Tensor& input_features, const std::vector<bool>& is_longer) const {
  if (input_features.dim() != 4 || input_features.size(3) != config_.num_mel_bins)
    throw Error("CLAP audio model: input_features " + input_features.to_string() + " must be [batch, channels, " +
                "frames, " + std::to_string(config_.num_mel_bins) + "]");
  const int64_t channels = input_features.size(1);
  if (config_.enable_fusion ? (channels != 1 && channels != 4) : channels != 1)
    throw Error("CLAP audio model: " + std::to_string(channels) + " input channels; the model " +
                (config_.enable_fusion ? "fuses 4 (or reads 1)" : "reads 1 (enable_fusion is false)"));
  if (config_.enable_fusion && static_cast<int64_t>(is_longer.size()) != input_features.size(0))
    throw Error("CLAP audio model: fusion needs one is_longer flag per clip");
  if (config_.enable_fusion && channels == 1)
    for (bool longer : is_longer)
      if (longer) throw Error("CLAP audio model: a clip marked longer needs the 4 fusion channels");

  Tensor x = input_features.to(device_);
  // Batch norm over mel bins: transpose(1, 3), BatchNorm2d, transpose back.
  x = batch_norm_(x.transpose(1, 3)).transpose(1, 3);
  x = reshape_mel2img(x);
  Tensor h = patch_embed_(x, is_longer);
  for (const Stage& stage : stages_) {
    for (const ClapAudioLayer& block : stage.blocks) h = block(h);
    if (stage.has_downsample) h = stage.downsample(h);
  }
  // The encoder's reshapes before AdaptiveAvgPool1d only reorder tokens: the
  // pooled output is the mean over all of them.
  return tensor::mean(norm_(h), 1);
}

Tensor ClapAudioModel::get_audio_features(const Tensor& input_features, const std::vector<bool>& is_longer) const {
  Tensor pooled = pooled_output(input_features, is_longer);
  Tensor projected = projection2_(apply_activation(projection1_(pooled), config_.projection_hidden_act));
  return tensor::l2_normalize(projected, -1, 1e-12);
}

}  // namespace foley::models
