#include "models/audioldm2/unet/unet_config.h"

#include "common/error.h"
#include "models/config_json.h"

namespace foley::models {

namespace {

std::vector<int64_t> int_list(const nlohmann::json& o, const std::string& key, const ConfigReader& r) {
  if (!o.contains(key) || !o.at(key).is_array()) r.fail(key, "expected a list of integers");
  std::vector<int64_t> out;
  for (const auto& v : o.at(key)) {
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) r.fail(key, "expected positive integers");
    out.push_back(v.get<int64_t>());
  }
  return out;
}

std::vector<std::string> string_list(const nlohmann::json& o, const std::string& key, const ConfigReader& r) {
  if (!o.contains(key) || !o.at(key).is_array()) r.fail(key, "expected a list of block names");
  std::vector<std::string> out;
  for (const auto& v : o.at(key)) {
    if (!v.is_string()) r.fail(key, "expected a list of block names");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// One block's cross-attention widths: an integer is a single slot, a list
// gives the slots (null = self-attention only), null gives none (valid only
// for a block without attention, checked by the caller).
std::vector<std::optional<int64_t>> dim_slots(const nlohmann::json& v, const ConfigReader& r) {
  std::vector<std::optional<int64_t>> slots;
  if (v.is_null()) return slots;
  if (v.is_number_integer() && v.get<int64_t>() > 0) return {v.get<int64_t>()};
  if (!v.is_array()) r.fail("cross_attention_dim", "expected a width, a list of widths or nulls, or null per block");
  for (const auto& d : v) {
    if (d.is_null()) slots.push_back(std::nullopt);
    else if (d.is_number_integer() && d.get<int64_t>() > 0) slots.push_back(d.get<int64_t>());
    else r.fail("cross_attention_dim", "expected positive widths or nulls");
  }
  // diffusers' cross-attention blocks refuse more than four slots.
  if (slots.size() > 4) r.fail("cross_attention_dim", "at most 4 attention slots per block");
  return slots;
}

// A per-block setting as diffusers reads it: absent or null = the class
// default for every block, an integer = that value for every block, a list =
// one value per down block.
std::vector<int64_t> per_block(const nlohmann::json& o, const std::string& key, int64_t fallback, size_t blocks,
                               const ConfigReader& r) {
  if (!o.contains(key) || o.at(key).is_null()) return std::vector<int64_t>(blocks, fallback);
  const auto& v = o.at(key);
  if (v.is_number_integer()) return std::vector<int64_t>(blocks, r.positive(key, fallback));
  if (!v.is_array()) r.fail(key, "expected a positive integer or one per block");
  if (v.size() != blocks) r.fail(key, "must have one entry per block (" + std::to_string(blocks) + ")");
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!e.is_number_integer() || e.get<int64_t>() <= 0) r.fail(key, "expected positive integers");
    out.push_back(e.get<int64_t>());
  }
  return out;
}

}  // namespace

UNetConfig UNetConfig::from_json(const nlohmann::json& o, const std::string& source) {
  ConfigReader r(o, source);
  UNetConfig c;
  c.in_channels = r.positive("in_channels", c.in_channels);
  c.out_channels = r.positive("out_channels", c.out_channels);
  c.block_out_channels = int_list(o, "block_out_channels", r);
  c.down_block_types = string_list(o, "down_block_types", r);
  c.up_block_types = string_list(o, "up_block_types", r);
  if (r.has("num_attention_heads")) r.fail("num_attention_heads", "not supported (diffusers uses attention_head_dim)");
  c.norm_num_groups = r.positive("norm_num_groups", c.norm_num_groups);
  c.norm_eps = r.number("norm_eps", c.norm_eps);
  c.flip_sin_to_cos = r.boolean("flip_sin_to_cos", c.flip_sin_to_cos);
  c.freq_shift = r.number("freq_shift", c.freq_shift);
  c.sample_size = r.positive("sample_size", c.sample_size);

  const size_t n = c.block_out_channels.size();
  if (n < 2) r.fail("block_out_channels", "expected at least two levels");
  if (c.down_block_types.size() != n) r.fail("down_block_types", "must have one entry per block_out_channels");
  if (c.up_block_types.size() != n) r.fail("up_block_types", "must have one entry per block_out_channels");
  for (const auto& t : c.down_block_types)
    if (t != "DownBlock2D" && t != "CrossAttnDownBlock2D") r.fail("down_block_types", "unsupported block " + t);
  for (const auto& t : c.up_block_types)
    if (t != "UpBlock2D" && t != "CrossAttnUpBlock2D") r.fail("up_block_types", "unsupported block " + t);
  if (r.string("mid_block_type", "UNetMidBlock2DCrossAttn") != "UNetMidBlock2DCrossAttn")
    r.fail("mid_block_type", "only UNetMidBlock2DCrossAttn is supported");
  c.layers_per_block = per_block(o, "layers_per_block", 2, n, r);
  c.transformer_layers_per_block = per_block(o, "transformer_layers_per_block", 1, n, r);
  c.attention_heads = per_block(o, "attention_head_dim", 8, n, r);
  // diffusers' class default is 1280 for every block; a list has one entry per block.
  const nlohmann::json cad = o.contains("cross_attention_dim") ? o.at("cross_attention_dim") : nlohmann::json(1280);
  if (cad.is_array()) {
    if (cad.size() != n) r.fail("cross_attention_dim", "must have one entry per block (" + std::to_string(n) + ")");
    for (const auto& b : cad) c.cross_attention_dim.push_back(dim_slots(b, r));
  } else {
    c.cross_attention_dim.assign(n, dim_slots(cad, r));
  }
  // Entry i serves down block i, up block n-1-i and, for the last, the mid
  // block, which always has attention.
  for (size_t i = 0; i < n; ++i) {
    const int64_t ch = c.block_out_channels[i];
    if (ch % c.norm_num_groups != 0) r.fail("block_out_channels", "must be divisible by norm_num_groups");
    const bool attention = c.down_block_types[i] == "CrossAttnDownBlock2D" ||
                           c.up_block_types[n - 1 - i] == "CrossAttnUpBlock2D" || i == n - 1;
    if (!attention) continue;
    if (c.cross_attention_dim[i].empty())
      r.fail("cross_attention_dim", "block " + std::to_string(i) + " has attention but no width");
    if (ch % c.attention_heads[i] != 0)
      r.fail("attention_head_dim", "block " + std::to_string(i) + ": " + std::to_string(ch) +
                                       " channels are not divisible by " + std::to_string(c.attention_heads[i]) +
                                       " heads");
  }
  if (r.boolean("use_linear_projection", false)) r.fail("use_linear_projection", "not supported");
  if (r.boolean("only_cross_attention", false)) r.fail("only_cross_attention", "not supported");
  if (r.boolean("upcast_attention", false)) r.fail("upcast_attention", "not supported");
  if (r.has("class_embed_type")) r.fail("class_embed_type", "class embeddings are not supported");
  if (r.has("num_class_embeds")) r.fail("num_class_embeds", "class embeddings are not supported");
  if (r.has("time_cond_proj_dim")) r.fail("time_cond_proj_dim", "not supported");
  if (r.has("time_embedding_dim")) r.fail("time_embedding_dim", "not supported");
  if (r.has("time_embedding_act_fn")) r.fail("time_embedding_act_fn", "not supported");
  if (r.has("timestep_post_act")) r.fail("timestep_post_act", "not supported");
  if (r.string("time_embedding_type", "positional") != "positional") r.fail("time_embedding_type", "not supported");
  if (r.string("act_fn", "silu") != "silu") r.fail("act_fn", "only silu is supported");
  if (r.string("resnet_time_scale_shift", "default") != "default") r.fail("resnet_time_scale_shift", "not supported");
  if (r.integer("conv_in_kernel", 3) != 3) r.fail("conv_in_kernel", "only 3 is supported");
  if (r.integer("conv_out_kernel", 3) != 3) r.fail("conv_out_kernel", "only 3 is supported");
  if (r.integer("downsample_padding", 1) != 1) r.fail("downsample_padding", "only 1 is supported");
  if (r.number("mid_block_scale_factor", 1) != 1) r.fail("mid_block_scale_factor", "only 1 is supported");
  return c;
}

UNetConfig UNetConfig::load(const std::filesystem::path& path) {
  return from_json(read_json_object(path), path.string());
}

}  // namespace foley::models
