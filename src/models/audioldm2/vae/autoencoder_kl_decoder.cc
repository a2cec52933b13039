#include "models/audioldm2/vae/autoencoder_kl_decoder.h"

#include <algorithm>

#include "common/error.h"

namespace foley::models {

using tensor::Tensor;

namespace {
constexpr double kVaeEps = 1e-6;
}

AutoencoderKLDecoder AutoencoderKLDecoder::load(const std::filesystem::path& dir, const tensor::Placement& placement) {
  return load(VaeConfig::load(dir / "config.json"), tensor::WeightMap::load_dir(dir, placement));
}

AutoencoderKLDecoder AutoencoderKLDecoder::load(const VaeConfig& c, const tensor::WeightMap& w) {
  AutoencoderKLDecoder d;
  d.config_ = c;
  d.device_ = w.placement().device;
  const int64_t g = c.norm_num_groups;
  const int64_t top = c.block_out_channels.back();
  if (c.use_post_quant_conv)
    d.post_quant_conv_ = Conv2d::load(w, "post_quant_conv", c.latent_channels, c.latent_channels, 1);
  d.conv_in_ = Conv2d::load(w, "decoder.conv_in", c.latent_channels, top, 3);
  d.mid_resnets_.push_back(ResnetBlock2D::load(w, "decoder.mid_block.resnets.0", top, top, 0, g, kVaeEps));
  if (c.mid_block_add_attention)
    d.mid_attention_ = VaeAttentionBlock::load(w, "decoder.mid_block.attentions.0", top, g, kVaeEps);
  d.mid_resnets_.push_back(ResnetBlock2D::load(w, "decoder.mid_block.resnets.1", top, top, 0, g, kVaeEps));

  std::vector<int64_t> rev(c.block_out_channels.rbegin(), c.block_out_channels.rend());
  int64_t out = rev[0];
  for (size_t i = 0; i < rev.size(); ++i) {
    const int64_t in = out;
    out = rev[i];
    const std::string prefix = "decoder.up_blocks." + std::to_string(i);
    UpDecoderBlock b;
    for (int64_t j = 0; j <= c.layers_per_block; ++j)
      b.resnets.push_back(
          ResnetBlock2D::load(w, prefix + ".resnets." + std::to_string(j), j == 0 ? in : out, out, 0, g, kVaeEps));
    if (i + 1 < rev.size()) b.upsampler = Upsample2D::load(w, prefix + ".upsamplers.0", out);
    d.up_blocks_.push_back(std::move(b));
  }
  d.conv_norm_out_ = GroupNorm::load(w, "decoder.conv_norm_out", c.block_out_channels.front(), g, kVaeEps);
  d.conv_out_ = Conv2d::load(w, "decoder.conv_out", c.block_out_channels.front(), c.out_channels, 3);
  return d;
}

Tensor AutoencoderKLDecoder::decode(const Tensor& z) const {
  if (z.dim() != 4 || z.size(1) != config_.latent_channels)
    throw Error("VAE decode: latents must be [B, " + std::to_string(config_.latent_channels) + ", T, F], got " +
                z.to_string());
  Tensor h = z.to(device_);
  if (post_quant_conv_) h = (*post_quant_conv_)(h);
  h = conv_in_(h);
  h = mid_resnets_[0](h);
  if (mid_attention_) h = (*mid_attention_)(h);
  h = mid_resnets_[1](h);
  for (const auto& b : up_blocks_) {
    for (const auto& r : b.resnets) h = r(h);
    if (b.upsampler) h = (*b.upsampler)(h, 2 * h.size(2), 2 * h.size(3));
  }
  return conv_out_(conv_norm_out_.silu(h));
}

Tensor AutoencoderKLDecoder::decode_chunked(const Tensor& z, int64_t chunk_frames, int64_t overlap_frames) const {
  const int64_t frames = z.dim() == 4 ? z.size(2) : 0;
  if (chunk_frames <= 0 || chunk_frames >= frames) return decode(z);
  if (overlap_frames < 0) throw Error("VAE decode_chunked: overlap must be >= 0");
  const int64_t s = config_.scale_factor();
  std::vector<Tensor> pieces;
  for (int64_t start = 0; start < frames; start += chunk_frames) {
    const int64_t len = std::min(chunk_frames, frames - start);
    const int64_t lo = std::max<int64_t>(0, start - overlap_frames);
    const int64_t hi = std::min(frames, start + len + overlap_frames);
    Tensor mel = decode(z.narrow(2, lo, hi - lo));
    pieces.push_back(mel.narrow(2, (start - lo) * s, len * s));
  }
  return tensor::cat(pieces, 2);
}

}  // namespace foley::models
