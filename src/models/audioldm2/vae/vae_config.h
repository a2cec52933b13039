#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models {

// vae/config.json of AutoencoderKL (decoder fields only).
struct VaeConfig {
  int64_t latent_channels = 8;
  int64_t out_channels = 1;
  std::vector<int64_t> block_out_channels{128, 256, 512};
  int64_t layers_per_block = 2;
  int64_t norm_num_groups = 32;
  double scaling_factor = 0.4110932946205139;
  bool mid_block_add_attention = true;
  bool use_post_quant_conv = true;

  static VaeConfig from_json(const nlohmann::json& object, const std::string& source);
  static VaeConfig load(const std::filesystem::path& path);

  // 2^(levels - 1): mel frames per latent frame (4 for AudioLDM 2).
  int64_t scale_factor() const { return int64_t{1} << (block_out_channels.size() - 1); }
};

}  // namespace foley::models
