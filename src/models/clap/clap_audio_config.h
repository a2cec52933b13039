#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "models/nn/activation.h"

namespace foley::models {

// The audio half of transformers' ClapConfig (`audio_config`): the HTSAT
// encoder and the audio projection, with ClapAudioConfig's defaults for
// absent keys. In a ClapModel config the composite projection_dim and
// projection_hidden_act override the sub-config's (ClapConfig.__init__ does).
struct ClapAudioConfig {
  int64_t window_size = 8;
  int64_t num_mel_bins = 64;
  int64_t spec_size = 256;
  Activation hidden_act = Activation::kGelu;
  int64_t patch_size[2] = {4, 4};
  int64_t patch_stride[2] = {4, 4};
  int64_t hidden_size = 768;  // the projection's input: must equal the last stage's width
  int64_t projection_dim = 512;
  std::vector<int64_t> depths = {2, 2, 6, 2};
  std::vector<int64_t> num_attention_heads = {4, 8, 16, 32};
  bool enable_fusion = false;
  int64_t patch_embed_input_channels = 1;
  int64_t patch_embeds_hidden_size = 96;
  bool enable_patch_layer_norm = true;
  bool qkv_bias = true;
  double mlp_ratio = 4.0;
  int64_t aff_block_r = 4;
  Activation projection_hidden_act = Activation::kRelu;
  double layer_norm_eps = 1e-5;

  // Reads text_encoder/config.json (a ClapModel config) or a bare
  // ClapAudioConfig. Throws foley::Error naming the file and key on a bad or
  // unimplemented value (fusion_type "channel_map", flatten_patch_embeds
  // false, a hidden_size that is not the last stage's width, ...).
  static ClapAudioConfig load(const std::filesystem::path& config_json);

  // Width of stage i: patch_embeds_hidden_size * 2^i.
  int64_t stage_dim(size_t i) const { return patch_embeds_hidden_size << i; }
  // spec_size / num_mel_bins: how many time slices are stacked on the
  // frequency axis to make the square image.
  int64_t freq_ratio() const { return spec_size / num_mel_bins; }
};

}  // namespace foley::models
