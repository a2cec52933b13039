#include "models/audioldm2/unet/unet_2d_condition_model.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "tensor/ops.h"

namespace foley::models {

using tensor::Tensor;

Tensor t5_padding_bias(const Tensor& attention_mask) {
  if (attention_mask.dim() != 2) throw Error("UNet: encoder_attention_mask_1 must be [B, L], got " + attention_mask.to_string());
  std::vector<float> m = attention_mask.to(tensor::Device::cpu()).to(tensor::DType::kF32).to_vector_f32();
  for (float& v : m) v = (1.0f - v) * -10000.0f;
  return Tensor::from_vector(m, {attention_mask.size(0), 1, 1, attention_mask.size(1)});
}

AudioLDM2UNet2DConditionModel AudioLDM2UNet2DConditionModel::load(const std::filesystem::path& dir,
                                                                   const tensor::Placement& placement) {
  return load(UNetConfig::load(dir / "config.json"), tensor::WeightMap::load_dir(dir, placement));
}

AudioLDM2UNet2DConditionModel AudioLDM2UNet2DConditionModel::load(const UNetConfig& c, const tensor::WeightMap& w) {
  AudioLDM2UNet2DConditionModel m;
  m.config_ = c;
  m.device_ = w.placement().device;
  const auto& ch = c.block_out_channels;
  const int64_t levels = static_cast<int64_t>(ch.size());
  m.conv_in_ = Conv2d::load(w, "conv_in", c.in_channels, ch[0], 3);
  m.time_embedding_ = TimestepEmbedding::load(w, "time_embedding", ch[0], c.time_embed_dim());

  // Level i's settings serve down block i, up block n-1-i and (last level) the mid block.
  auto params_for = [&](bool cross, size_t level) {
    BlockParams p;
    p.temb_channels = c.time_embed_dim();
    p.groups = c.norm_num_groups;
    p.eps = c.norm_eps;
    p.slots.heads = c.attention_heads[level];
    p.slots.layers = c.transformer_layers_per_block[level];
    p.slots.groups = c.norm_num_groups;
    if (cross) p.slots.cross_attention_dim = c.cross_attention_dim[level];
    return p;
  };

  int64_t out = ch[0];
  for (int64_t i = 0; i < levels; ++i) {
    const int64_t in = out;
    out = ch[static_cast<size_t>(i)];
    const bool cross = c.down_block_types[static_cast<size_t>(i)] == "CrossAttnDownBlock2D";
    m.down_blocks_.push_back(DownBlock2D::load(w, "down_blocks." + std::to_string(i), in, out,
                                               c.layers_per_block[static_cast<size_t>(i)], i < levels - 1,
                                               params_for(cross, static_cast<size_t>(i))));
  }
  m.mid_block_ = UNetMidBlock2DCrossAttn::load(w, "mid_block", ch.back(), params_for(true, ch.size() - 1));

  std::vector<int64_t> rev(ch.rbegin(), ch.rend());
  out = rev[0];
  for (int64_t i = 0; i < levels; ++i) {
    const int64_t prev_out = out;
    out = rev[static_cast<size_t>(i)];
    const int64_t in = rev[static_cast<size_t>(std::min(i + 1, levels - 1))];
    const bool cross = c.up_block_types[static_cast<size_t>(i)] == "CrossAttnUpBlock2D";
    const auto level = static_cast<size_t>(levels - 1 - i);
    m.up_blocks_.push_back(UpBlock2D::load(w, "up_blocks." + std::to_string(i), in, out, prev_out,
                                           c.layers_per_block[level] + 1, i < levels - 1, params_for(cross, level)));
  }
  m.conv_norm_out_ = GroupNorm::load(w, "conv_norm_out", ch[0], c.norm_num_groups, c.norm_eps);
  m.conv_out_ = Conv2d::load(w, "conv_out", ch[0], c.out_channels, 3);
  return m;
}

namespace {

// For each row of the sample, the first row equal to it byte for byte; empty
// when every row is distinct or the sample is not on the CPU.
std::vector<int64_t> first_equal_rows(const Tensor& sample) {
  const int64_t batch = sample.size(0);
  if (batch < 2 || !sample.device().is_cpu()) return {};
  const size_t row_bytes = sample.nbytes() / static_cast<size_t>(batch);
  const auto* bytes = static_cast<const unsigned char*>(sample.raw_data());
  std::vector<int64_t> first(static_cast<size_t>(batch));
  bool repeats = false;
  for (int64_t r = 0; r < batch; ++r) {
    first[static_cast<size_t>(r)] = r;
    for (int64_t e = 0; e < r; ++e)
      if (first[static_cast<size_t>(e)] == e &&
          std::memcmp(bytes + static_cast<size_t>(r) * row_bytes, bytes + static_cast<size_t>(e) * row_bytes,
                      row_bytes) == 0) {
        first[static_cast<size_t>(r)] = e;
        repeats = true;
        break;
      }
  }
  return repeats ? first : std::vector<int64_t>{};
}

}  // namespace

Tensor AudioLDM2UNet2DConditionModel::forward(const Tensor& sample, double timestep,
                                              const Tensor& encoder_hidden_states,
                                              const Tensor& encoder_hidden_states_1,
                                              const Tensor& encoder_attention_mask_1) const {
  if (sample.dim() != 4 || sample.size(1) != config_.in_channels)
    throw Error("UNet: sample must be [B, " + std::to_string(config_.in_channels) + ", T, F], got " +
                sample.to_string());
  const int64_t batch = sample.size(0);
  for (const Tensor* t : {&encoder_hidden_states, &encoder_hidden_states_1})
    if (!t->defined() || t->dim() != 3 || t->size(0) != batch)
      throw Error("UNet: conditioning must be [" + std::to_string(batch) + ", L, D], got " +
                  (t->defined() ? t->to_string() : std::string("nothing")));

  UNetConditioning cond;
  cond.encoder_hidden_states = encoder_hidden_states.to(device_);
  cond.encoder_hidden_states_1 = encoder_hidden_states_1.to(device_);
  if (encoder_attention_mask_1.defined()) cond.encoder_bias_1 = t5_padding_bias(encoder_attention_mask_1).to(device_);
  cond.batch = batch;

  // One timestep for the whole batch: one row of time embedding, broadcast by the resnets.
  Tensor temb = time_embedding_(timestep_projection(timestep, 1, config_.block_out_channels[0],
                                                    config_.flip_sin_to_cos, config_.freq_shift)
                                    .to(device_));
  // Rows repeated in the batch (guidance's [x, x]) run once until a layer reads the conditioning.
  Tensor input = sample;
  if (const std::vector<int64_t> first = share_repeated_rows_ ? first_equal_rows(sample) : std::vector<int64_t>{};
      !first.empty()) {
    std::vector<int64_t> distinct, slot(first.size());
    for (size_t r = 0; r < first.size(); ++r) {
      if (first[r] == static_cast<int64_t>(r)) distinct.push_back(static_cast<int64_t>(r));
      slot[r] = static_cast<int64_t>(std::find(distinct.begin(), distinct.end(), first[r]) - distinct.begin());
    }
    const auto n = static_cast<int64_t>(distinct.size());
    input = tensor::index_select(sample, 0, Tensor::from_vector(distinct, {n}));
    cond.rows = Tensor::from_vector(slot, {batch}).to(device_);
  }
  Tensor h = conv_in_(input.to(device_));
  std::vector<Tensor> skips{h};
  for (const auto& block : down_blocks_) h = block(h, temb, cond, skips);
  h = mid_block_(h, temb, cond);

  // diffusers forwards the skip's size to the upsamplers when T or F is not a
  // multiple of 2^(number of upsamplers); otherwise it doubles. Resizing to the
  // skip's size covers both.
  for (const auto& block : up_blocks_) {
    int64_t out_h = 0, out_w = 0;
    if (block.has_upsampler()) {
      const size_t per_block = block.num_resnets();
      if (skips.size() <= per_block) throw Error::failure("UNet: skip stack too small");
      const Tensor& target = skips[skips.size() - per_block - 1];
      out_h = target.size(2);
      out_w = target.size(3);
    }
    h = block(h, temb, cond, skips, out_h, out_w);
  }
  return expand_rows(conv_out_(conv_norm_out_.silu(h)), cond);  // rows still shared when nothing read the conditioning
}

}  // namespace foley::models
