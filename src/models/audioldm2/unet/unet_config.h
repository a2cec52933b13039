#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models {

// unet/config.json of AudioLDM2UNet2DConditionModel (the fields inference
// needs). Settings the model does not implement (class embeddings, linear
// projection, other block types...) are refused when parsed.
struct UNetConfig {
  int64_t in_channels = 8;
  int64_t out_channels = 8;
  std::vector<int64_t> block_out_channels{128, 256, 384, 640};
  std::vector<std::string> down_block_types;  // DownBlock2D | CrossAttnDownBlock2D
  std::vector<std::string> up_block_types;    // UpBlock2D | CrossAttnUpBlock2D
  // The per-block settings below have one entry per down block (index i =
  // down block i; up block i uses entry n-1-i, the mid block the last), read
  // from either one value for every block or a list, as diffusers reads them.
  std::vector<int64_t> layers_per_block;  // resnets per down block (up blocks: one more)
  // Per block, the list of cross-attention widths of its transformer slots:
  // nullopt = a self-attention-only slot (base: [null, 768, 1024]; large adds
  // a trailing null). Every block has the same list in the official configs.
  std::vector<std::vector<std::optional<int64_t>>> cross_attention_dim;
  std::vector<int64_t> transformer_layers_per_block;  // 1 (2 in the large model)
  std::vector<int64_t> attention_heads;               // attention_head_dim (diffusers' naming quirk), 8
  int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  bool flip_sin_to_cos = true;
  double freq_shift = 0;
  int64_t sample_size = 256;  // default latent time length (10.24 s)

  // Parses a config object; `source` names it in errors.
  static UNetConfig from_json(const nlohmann::json& object, const std::string& source);
  static UNetConfig load(const std::filesystem::path& path);

  // Time-embedding width (4 x block_out_channels[0]).
  int64_t time_embed_dim() const { return 4 * block_out_channels.front(); }
};

}  // namespace foley::models
