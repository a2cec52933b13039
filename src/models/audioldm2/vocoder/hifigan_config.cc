#include "models/audioldm2/vocoder/hifigan_config.h"

#include "models/config_json.h"

namespace foley::models {

namespace {

std::vector<int64_t> ints(const nlohmann::json& v, const ConfigReader& r, const std::string& key) {
  if (!v.is_array() || v.empty()) r.fail(key, "expected a non-empty list of positive integers");
  std::vector<int64_t> out;
  for (const auto& x : v) {
    if (!x.is_number_integer() || x.get<int64_t>() <= 0) r.fail(key, "expected positive integers");
    out.push_back(x.get<int64_t>());
  }
  return out;
}

}  // namespace

HifiGanConfig HifiGanConfig::from_json(const nlohmann::json& o, const std::string& source) {
  ConfigReader r(o, source);
  HifiGanConfig c;
  c.model_in_dim = r.positive("model_in_dim", c.model_in_dim);
  c.sampling_rate = r.positive("sampling_rate", c.sampling_rate);
  c.upsample_initial_channel = r.positive("upsample_initial_channel", c.upsample_initial_channel);
  if (o.contains("upsample_rates")) c.upsample_rates = ints(o.at("upsample_rates"), r, "upsample_rates");
  if (o.contains("upsample_kernel_sizes"))
    c.upsample_kernel_sizes = ints(o.at("upsample_kernel_sizes"), r, "upsample_kernel_sizes");
  if (o.contains("resblock_kernel_sizes"))
    c.resblock_kernel_sizes = ints(o.at("resblock_kernel_sizes"), r, "resblock_kernel_sizes");
  if (o.contains("resblock_dilation_sizes")) {
    const auto& d = o.at("resblock_dilation_sizes");
    if (!d.is_array()) r.fail("resblock_dilation_sizes", "expected a list of lists");
    c.resblock_dilation_sizes.clear();
    for (const auto& row : d) c.resblock_dilation_sizes.push_back(ints(row, r, "resblock_dilation_sizes"));
  }
  c.leaky_relu_slope = r.number("leaky_relu_slope", c.leaky_relu_slope);
  c.normalize_before = r.boolean("normalize_before", c.normalize_before);
  if (c.upsample_rates.size() != c.upsample_kernel_sizes.size())
    r.fail("upsample_kernel_sizes", "must have one entry per upsample rate");
  if (c.resblock_dilation_sizes.size() != c.resblock_kernel_sizes.size())
    r.fail("resblock_dilation_sizes", "must have one entry per resblock kernel size");
  if (c.upsample_initial_channel >> c.upsample_rates.size() < 1)
    r.fail("upsample_initial_channel", "too small for the number of upsampling stages");
  return c;
}

HifiGanConfig HifiGanConfig::load(const std::filesystem::path& path) {
  return from_json(read_json_object(path), path.string());
}

int64_t HifiGanConfig::hop_length() const {
  int64_t hop = 1;
  for (int64_t r : upsample_rates) hop *= r;
  return hop;
}

}  // namespace foley::models
