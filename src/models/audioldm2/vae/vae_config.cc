#include "models/audioldm2/vae/vae_config.h"

#include "models/config_json.h"

namespace foley::models {

VaeConfig VaeConfig::from_json(const nlohmann::json& o, const std::string& source) {
  ConfigReader r(o, source);
  VaeConfig c;
  c.latent_channels = r.positive("latent_channels", c.latent_channels);
  c.out_channels = r.positive("out_channels", c.out_channels);
  if (!o.contains("block_out_channels") || !o.at("block_out_channels").is_array() || o.at("block_out_channels").empty())
    r.fail("block_out_channels", "expected a non-empty list of integers");
  c.block_out_channels.clear();
  for (const auto& v : o.at("block_out_channels")) {
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) r.fail("block_out_channels", "expected positive integers");
    c.block_out_channels.push_back(v.get<int64_t>());
  }
  c.layers_per_block = r.positive("layers_per_block", c.layers_per_block);
  c.norm_num_groups = r.positive("norm_num_groups", c.norm_num_groups);
  c.scaling_factor = r.number("scaling_factor", c.scaling_factor);
  if (!(c.scaling_factor > 0)) r.fail("scaling_factor", "must be positive");
  c.mid_block_add_attention = r.boolean("mid_block_add_attention", c.mid_block_add_attention);
  c.use_post_quant_conv = r.boolean("use_post_quant_conv", c.use_post_quant_conv);
  if (r.has("shift_factor")) r.fail("shift_factor", "not supported");
  if (r.string("act_fn", "silu") != "silu") r.fail("act_fn", "only silu is supported");
  // The decoder's blocks; the encoder-only keys (in_channels, down_block_types,
  // use_quant_conv), sample_size, latents_mean/std (unused by the AudioLDM 2
  // pipeline) and force_upcast (fp16 only) do not change the decoded mel.
  if (o.contains("up_block_types")) {
    const auto& types = o.at("up_block_types");
    if (!types.is_array()) r.fail("up_block_types", "expected a list of block names");
    for (const auto& t : types)
      if (t != "UpDecoderBlock2D") r.fail("up_block_types", "only UpDecoderBlock2D is supported");
  }
  for (int64_t ch : c.block_out_channels)
    if (ch % c.norm_num_groups != 0) r.fail("block_out_channels", "must be divisible by norm_num_groups");
  return c;
}

VaeConfig VaeConfig::load(const std::filesystem::path& path) { return from_json(read_json_object(path), path.string()); }

}  // namespace foley::models
