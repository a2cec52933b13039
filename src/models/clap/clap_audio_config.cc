#include "models/clap/clap_audio_config.h"

#include "models/config_json.h"

namespace foley::models {

namespace {

std::vector<int64_t> read_int_list(const nlohmann::json& object, const ConfigReader& r, const std::string& key,
                                   const std::vector<int64_t>& fallback) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  const nlohmann::json& v = object[key];
  if (!v.is_array() || v.empty()) r.fail(key, "must be a non-empty list of positive integers");
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!e.is_number_integer() || e.get<int64_t>() <= 0) r.fail(key, "must be a non-empty list of positive integers");
    out.push_back(e.get<int64_t>());
  }
  return out;
}

// An int or a [h, w] pair (patch_size, patch_stride).
void read_pair(const nlohmann::json& object, const ConfigReader& r, const std::string& key, int64_t out[2]) {
  if (!object.contains(key) || object[key].is_null()) return;
  if (object[key].is_number_integer()) {
    out[0] = out[1] = r.positive(key, out[0]);
    return;
  }
  std::vector<int64_t> v = read_int_list(object, r, key, {});
  if (v.size() != 2) r.fail(key, "must be an integer or a list of two");
  out[0] = v[0];
  out[1] = v[1];
}

}  // namespace

ClapAudioConfig ClapAudioConfig::load(const std::filesystem::path& config_json) {
  nlohmann::json root = read_json_object(config_json);
  ConfigReader top(root, config_json.string());
  const bool composite = root.contains("audio_config") && root["audio_config"].is_object();
  const nlohmann::json& audio = composite ? root["audio_config"] : root;
  ConfigReader r(audio, config_json.string() + (composite ? " audio_config" : ""));

  ClapAudioConfig c;
  c.window_size = r.positive("window_size", c.window_size);
  c.num_mel_bins = r.positive("num_mel_bins", c.num_mel_bins);
  c.spec_size = r.positive("spec_size", c.spec_size);
  if (!parse_activation(r.string("hidden_act", "gelu"), &c.hidden_act)) r.fail("hidden_act", "unsupported activation");
  read_pair(audio, r, "patch_size", c.patch_size);
  read_pair(audio, r, "patch_stride", c.patch_stride);
  c.hidden_size = r.positive("hidden_size", c.hidden_size);
  c.depths = read_int_list(audio, r, "depths", c.depths);
  c.num_attention_heads = read_int_list(audio, r, "num_attention_heads", c.num_attention_heads);
  c.enable_fusion = r.boolean("enable_fusion", c.enable_fusion);
  c.patch_embed_input_channels = r.positive("patch_embed_input_channels", c.patch_embed_input_channels);
  c.patch_embeds_hidden_size = r.positive("patch_embeds_hidden_size", c.patch_embeds_hidden_size);
  c.enable_patch_layer_norm = r.boolean("enable_patch_layer_norm", c.enable_patch_layer_norm);
  c.qkv_bias = r.boolean("qkv_bias", c.qkv_bias);
  c.mlp_ratio = r.number("mlp_ratio", c.mlp_ratio);
  c.aff_block_r = r.positive("aff_block_r", c.aff_block_r);
  c.layer_norm_eps = r.number("layer_norm_eps", c.layer_norm_eps);
  // ClapConfig copies its own projection settings into the audio config.
  const ConfigReader& projection = composite ? top : r;
  c.projection_dim = projection.positive("projection_dim", c.projection_dim);
  if (!parse_activation(projection.string("projection_hidden_act", "relu"), &c.projection_hidden_act))
    projection.fail("projection_hidden_act", "unsupported activation");

  if (!r.boolean("flatten_patch_embeds", true)) r.fail("flatten_patch_embeds", "only true is implemented");
  std::string fusion_type = r.string("fusion_type", "");
  if (c.enable_fusion && !fusion_type.empty() && fusion_type != "aff_2d")
    r.fail("fusion_type", "transformers fuses with the 2-D AFF block; only null or \"aff_2d\" is implemented");
  if (c.depths.size() != c.num_attention_heads.size())
    r.fail("num_attention_heads", "must have one entry per stage (depths has " + std::to_string(c.depths.size()) + ")");
  if (c.patch_embed_input_channels != 1)
    r.fail("patch_embed_input_channels", "only 1 is implemented (the model reads one mel channel)");
  for (size_t i = 0; i < c.depths.size(); ++i)
    if (c.stage_dim(i) % c.num_attention_heads[i] != 0)
      r.fail("num_attention_heads", "stage " + std::to_string(i) + " width " + std::to_string(c.stage_dim(i)) +
                                        " is not a multiple of its heads");
  if (c.hidden_size != c.stage_dim(c.depths.size() - 1))
    r.fail("hidden_size", "must equal the last stage's width patch_embeds_hidden_size * 2^(stages-1) = " +
                              std::to_string(c.stage_dim(c.depths.size() - 1)));
  if (c.spec_size % c.num_mel_bins != 0 || c.freq_ratio() < 1)
    r.fail("spec_size", "must be a multiple of num_mel_bins");
  if (c.spec_size % c.patch_stride[0] != 0 || c.spec_size % c.patch_stride[1] != 0)
    r.fail("patch_stride", "must divide spec_size");
  if (c.mlp_ratio <= 0) r.fail("mlp_ratio", "must be positive");
  return c;
}

}  // namespace foley::models
