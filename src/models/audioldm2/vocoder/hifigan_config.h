#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models {

// vocoder/config.json of SpeechT5HifiGan.
struct HifiGanConfig {
  int64_t model_in_dim = 64;
  int64_t sampling_rate = 16000;
  int64_t upsample_initial_channel = 1024;
  std::vector<int64_t> upsample_rates{5, 4, 2, 2, 2};
  std::vector<int64_t> upsample_kernel_sizes{16, 16, 8, 4, 4};
  std::vector<int64_t> resblock_kernel_sizes{3, 7, 11};
  std::vector<std::vector<int64_t>> resblock_dilation_sizes{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};
  double leaky_relu_slope = 0.1;
  bool normalize_before = false;

  static HifiGanConfig from_json(const nlohmann::json& object, const std::string& source);
  static HifiGanConfig load(const std::filesystem::path& path);

  // Product of the upsample rates: samples per mel frame (160).
  int64_t hop_length() const;
};

}  // namespace foley::models
