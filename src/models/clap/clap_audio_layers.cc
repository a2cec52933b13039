#include "models/clap/clap_audio_layers.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "models/nn/activation_ops.h"

namespace foley::models {

using tensor::Tensor;

namespace {

// torch.roll(x, shift, dim) for a shift in (-size, size).
Tensor roll(const Tensor& x, int64_t shift, int64_t dim) {
  const int64_t n = x.size(dim);
  const int64_t s = ((shift % n) + n) % n;
  if (s == 0) return x;
  return tensor::cat({x.narrow(dim, n - s, s), x.narrow(dim, 0, n - s)}, dim);
}

// window_partition: [B, H, W, C] → [B * H/ws * W/ws, ws*ws, C], windows row-major per batch item.
Tensor window_partition(const Tensor& x, int64_t ws) {
  const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  return x.reshape({b, h / ws, ws, w / ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).reshape({-1, ws * ws, c});
}

// window_reverse: [B * nW, ws*ws, C] → [B, H, W, C].
Tensor window_reverse(const Tensor& windows, int64_t ws, int64_t h, int64_t w) {
  const int64_t c = windows.size(-1);
  return windows.reshape({-1, h / ws, w / ws, ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).reshape({-1, h, w, c});
}

}  // namespace

ClapAudioAFFBlock ClapAudioAFFBlock::load(const tensor::WeightMap& w, const std::string& p, const ClapAudioConfig& c) {
  const int64_t ch = c.patch_embeds_hidden_size, inter = ch / c.aff_block_r;
  if (inter < 1) throw Error(w.source().string() + ": aff_block_r " + std::to_string(c.aff_block_r) + " leaves no channels");
  ClapAudioAFFBlock b;
  b.local_conv1 = Conv2d::load(w, p + "local_att.0", ch, inter, 1, 1, 0);
  b.local_bn1 = BatchNorm2d::load(w, p + "local_att.1", inter);
  b.local_conv2 = Conv2d::load(w, p + "local_att.3", inter, ch, 1, 1, 0);
  b.local_bn2 = BatchNorm2d::load(w, p + "local_att.4", ch);
  b.global_conv1 = Conv2d::load(w, p + "global_att.1", ch, inter, 1, 1, 0);
  b.global_bn1 = BatchNorm2d::load(w, p + "global_att.2", inter);
  b.global_conv2 = Conv2d::load(w, p + "global_att.4", inter, ch, 1, 1, 0);
  b.global_bn2 = BatchNorm2d::load(w, p + "global_att.5", ch);
  return b;
}

Tensor ClapAudioAFFBlock::operator()(const Tensor& hidden_states, const Tensor& residual) const {
  Tensor input = tensor::add(hidden_states, residual);
  Tensor local = local_bn2(local_conv2(tensor::relu(local_bn1(local_conv1(input)))));
  Tensor pooled = tensor::mean(tensor::mean(input, 3, true), 2, true);  // AdaptiveAvgPool2d(1)
  Tensor global = global_bn2(global_conv2(tensor::relu(global_bn1(global_conv1(pooled)))));
  Tensor gate = tensor::sigmoid(tensor::add(local, global));
  Tensor a = tensor::mul(tensor::scale(hidden_states, 2.0), gate);
  Tensor b = tensor::mul(tensor::scale(residual, 2.0), tensor::add_scalar(tensor::scale(gate, -1.0), 1.0));
  return tensor::add(a, b);
}

ClapAudioPatchEmbed ClapAudioPatchEmbed::load(const tensor::WeightMap& w, const std::string& p,
                                              const ClapAudioConfig& c) {
  ClapAudioPatchEmbed e;
  const int64_t out = c.patch_embeds_hidden_size, kh = c.patch_size[0], kw = c.patch_size[1];
  const int64_t sh = c.patch_stride[0], sw = c.patch_stride[1];
  e.proj_weight = w.get(p + "proj.weight", {out, c.patch_embed_input_channels, kh, kw});
  e.proj_bias = w.get(p + "proj.bias", {out});
  e.proj_options.stride_h = sh;
  e.proj_options.stride_w = sw;
  e.proj_options.padding_h = (kh - sh) / 2;
  e.proj_options.padding_w = (kw - sw) / 2;
  if (c.enable_patch_layer_norm) e.norm = LayerNorm::load(w, p + "norm", out, 1e-5);
  e.enable_fusion = c.enable_fusion;
  if (e.enable_fusion) {
    e.fusion_model = ClapAudioAFFBlock::load(w, p + "fusion_model.", c);
    e.mel_conv_weight = w.get(p + "mel_conv2d.weight", {out, c.patch_embed_input_channels, kh, kw * 3});
    e.mel_conv_bias = w.get(p + "mel_conv2d.bias", {out});
    e.mel_conv_options = e.proj_options;
    e.mel_conv_options.stride_w = sw * 3;
  }
  return e;
}

Tensor ClapAudioPatchEmbed::operator()(const Tensor& x, const std::vector<bool>& is_longer) const {
  Tensor h;
  if (!enable_fusion) {
    h = tensor::conv2d(x, proj_weight, proj_bias, proj_options);
  } else {
    Tensor global = tensor::conv2d(x.narrow(1, 0, 1), proj_weight, proj_bias, proj_options);
    const int64_t out_w = global.size(-1);
    std::vector<Tensor> items;
    for (int64_t i = 0; i < x.size(0); ++i) {
      Tensor g = global.narrow(0, i, 1);
      if (!is_longer[static_cast<size_t>(i)]) {
        items.push_back(g);
        continue;
      }
      // The three local crops, each through mel_conv2d, side by side in width.
      Tensor local = x.narrow(0, i, 1).narrow(1, 1, x.size(1) - 1);
      const int64_t n = local.size(1);
      local = local.reshape({n, 1, local.size(2), local.size(3)});
      local = tensor::conv2d(local, mel_conv_weight, mel_conv_bias, mel_conv_options);
      const int64_t f = local.size(1), lh = local.size(2), lw = local.size(3);
      local = local.reshape({1, n, f, lh, lw}).permute({0, 2, 3, 1, 4}).reshape({1, f, lh, n * lw});
      if (out_w < n * lw)
        throw Error("CLAP patch embed: the fused local width " + std::to_string(n * lw) + " exceeds " +
                    std::to_string(out_w));
      local = tensor::pad(local, {0, out_w - n * lw});
      items.push_back(fusion_model(g, local));
    }
    h = items.size() == 1 ? items[0] : tensor::cat(items, 0);
  }
  h = image_to_tokens(h);  // flatten(2).transpose(1, 2)
  return norm.weight.defined() ? norm(h) : h;
}

ClapAudioLayer ClapAudioLayer::load(const tensor::WeightMap& w, const std::string& p, const ClapAudioConfig& c,
                                    int64_t dim, int64_t heads, int64_t height, int64_t width, int64_t shift_size) {
  ClapAudioLayer l;
  l.heads_ = heads;
  l.height_ = height;
  l.width_ = width;
  l.window_ = c.window_size;
  l.shift_ = shift_size;
  // set_shift_and_window_size: a grid no larger than the window is one window, unshifted.
  if (std::min(height, width) <= l.window_) {
    if (std::min(height, width) < l.window_)
      throw Error(w.source().string() + ": " + p + ": a " + std::to_string(height) + "x" + std::to_string(width) +
                  " grid is smaller than window_size " + std::to_string(l.window_) +
                  " (transformers cannot run this configuration either)");
    l.shift_ = 0;
  }
  const int64_t hidden = static_cast<int64_t>(c.mlp_ratio * static_cast<double>(dim));
  l.layernorm_before_ = LayerNorm::load(w, p + "layernorm_before", dim, c.layer_norm_eps);
  l.layernorm_after_ = LayerNorm::load(w, p + "layernorm_after", dim, c.layer_norm_eps);
  // The three projections concatenated on the host from f32 views, placed once.
  const tensor::WeightMap host = w.with_placement(tensor::Placement::cpu());
  std::vector<Tensor> weights, biases;
  for (const char* name : {"query", "key", "value"}) {
    Linear part = Linear::load(host, p + "attention.self." + name, dim, dim, c.qkv_bias);
    weights.push_back(part.weight);
    if (c.qkv_bias) biases.push_back(part.bias);
  }
  l.qkv_.weight = w.place(tensor::cat(weights, 0));
  if (c.qkv_bias) l.qkv_.bias = w.place(tensor::cat(biases, 0));
  l.attention_output_ = Linear::load(w, p + "attention.output.dense", dim, dim);
  l.intermediate_ = Linear::load(w, p + "intermediate.dense", dim, hidden);
  l.output_ = Linear::load(w, p + "output.dense", hidden, dim);
  l.act_ = c.hidden_act;

  // Relative position bias [heads, N, N] from the table, as ClapAudioSelfAttention indexes it.
  const int64_t ws = l.window_, n = ws * ws, span = 2 * ws - 1;
  std::vector<float> table = w.get(p + "attention.self.relative_position_bias_table", {span * span, heads})
                                 .to(tensor::DType::kF32)
                                 .to(tensor::Device::cpu())
                                 .to_vector_f32();
  const int64_t hp = (height + ws - 1) / ws * ws, wp = (width + ws - 1) / ws * ws;
  const int64_t windows = l.shift_ > 0 ? (hp / ws) * (wp / ws) : 1;
  // Shift mask: tokens from different regions of the rolled grid get -100.
  std::vector<int64_t> region(static_cast<size_t>(hp * wp), 0);
  if (l.shift_ > 0) {
    auto band = [&](int64_t i, int64_t size) { return i < size - ws ? 0 : (i < size - l.shift_ ? 1 : 2); };
    for (int64_t y = 0; y < hp; ++y)
      for (int64_t x = 0; x < wp; ++x) region[static_cast<size_t>(y * wp + x)] = band(y, hp) * 3 + band(x, wp);
  }
  std::vector<float> bias(static_cast<size_t>(windows * heads * n * n));
  for (int64_t win = 0; win < windows; ++win) {
    const int64_t wy = win / (wp / ws), wx = win % (wp / ws);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t yi = i / ws, xi = i % ws, yj = j / ws, xj = j % ws;
        const int64_t index = (yi - yj + ws - 1) * span + (xi - xj + ws - 1);
        float mask = 0.0f;
        if (l.shift_ > 0) {
          int64_t ri = region[static_cast<size_t>((wy * ws + yi) * wp + wx * ws + xi)];
          int64_t rj = region[static_cast<size_t>((wy * ws + yj) * wp + wx * ws + xj)];
          mask = ri == rj ? 0.0f : -100.0f;
        }
        for (int64_t h = 0; h < heads; ++h)
          bias[static_cast<size_t>(((win * heads + h) * n + i) * n + j)] =
              table[static_cast<size_t>(index * heads + h)] + mask;
      }
  }
  l.bias_ = Tensor::from_vector(bias, {windows, heads, n, n}).to(w.placement().device);
  return l;
}

Tensor ClapAudioLayer::operator()(const Tensor& x) const {
  const int64_t b = x.size(0), c = x.size(2), ws = window_;
  Tensor h = layernorm_before_(x).reshape({b, height_, width_, c});
  const int64_t pad_right = (ws - width_ % ws) % ws, pad_bottom = (ws - height_ % ws) % ws;
  if (pad_right > 0 || pad_bottom > 0) h = tensor::pad(h, {0, 0, 0, pad_right, 0, pad_bottom});
  const int64_t hp = height_ + pad_bottom, wp = width_ + pad_right;
  if (shift_ > 0) h = roll(roll(h, -shift_, 1), -shift_, 2);
  Tensor windows = window_partition(h, ws);  // [B*nW, N, C]

  tensor::AttentionOptions attn;
  attn.scale = 1.0 / std::sqrt(static_cast<double>(c / heads_));
  // The shifted mask differs per window; the windows of each batch item repeat it.
  attn.bias = bias_.size(0) > 1 && b > 1 ? tensor::cat(std::vector<Tensor>(static_cast<size_t>(b), bias_), 0) : bias_;
  std::vector<Tensor> qkv = tensor::chunk(qkv_(windows), 3, -1);
  Tensor a = tensor::attention_heads(qkv[0], qkv[1], qkv[2], heads_, attn);
  a = attention_output_(a);

  h = window_reverse(a, ws, hp, wp);
  if (shift_ > 0) h = roll(roll(h, shift_, 1), shift_, 2);
  if (pad_right > 0 || pad_bottom > 0) h = h.narrow(1, 0, height_).narrow(2, 0, width_);
  Tensor hidden = tensor::add(x, h.reshape({b, height_ * width_, c}));
  Tensor mlp = output_(apply_activation(intermediate_(layernorm_after_(hidden)), act_));
  return tensor::add(hidden, mlp);
}

ClapAudioPatchMerging ClapAudioPatchMerging::load(const tensor::WeightMap& w, const std::string& p, int64_t dim,
                                                  int64_t height, int64_t width) {
  ClapAudioPatchMerging m;
  m.norm = LayerNorm::load(w, p + "norm", 4 * dim, 1e-5);
  m.reduction = Linear::load(w, p + "reduction", 4 * dim, 2 * dim, false);
  m.height = height;
  m.width = width;
  return m;
}

Tensor ClapAudioPatchMerging::operator()(const Tensor& x) const {
  const int64_t b = x.size(0), c = x.size(2);
  Tensor h = x.reshape({b, height, width, c});
  if (height % 2 == 1 || width % 2 == 1) h = tensor::pad(h, {0, 0, 0, width % 2, 0, height % 2});
  Tensor x0 = h.slice(1, 0, h.size(1), 2).slice(2, 0, h.size(2), 2);
  Tensor x1 = h.slice(1, 1, h.size(1), 2).slice(2, 0, h.size(2), 2);
  Tensor x2 = h.slice(1, 0, h.size(1), 2).slice(2, 1, h.size(2), 2);
  Tensor x3 = h.slice(1, 1, h.size(1), 2).slice(2, 1, h.size(2), 2);
  h = tensor::cat({x0, x1, x2, x3}, -1).reshape({b, -1, 4 * c});
  return reduction(norm(h));
}

}  // namespace foley::models
