#pragma once

// The synthetic clips of tools/golden/make_clap.py's waveform(): a chirp with
// amplitude modulation plus LCG noise, computed in double and stored as
// float32, from the parameters listed in golden/clap/index.json.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models::testing {

inline std::vector<float> clap_waveform(const nlohmann::json& p) {
  const auto length = p.at("length").get<int64_t>();
  const double rate = p.at("rate").get<double>(), f0 = p.at("f0").get<double>(), sweep = p.at("sweep").get<double>();
  const double am = p.at("am").get<double>(), noise = p.at("noise").get<double>();
  uint64_t state = p.at("seed").get<uint64_t>() * 0x9E3779B97F4A7C15ull;
  std::vector<float> out(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) {
    const double t = static_cast<double>(i) / rate;
    const double tone = std::sin(2 * std::numbers::pi * (f0 * t + 0.5 * sweep * t * t));
    const double env = 0.6 + 0.4 * std::sin(2 * std::numbers::pi * am * t);
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double n = static_cast<double>(state >> 40) / static_cast<double>(1 << 24) * 2.0 - 1.0;
    out[static_cast<size_t>(i)] = static_cast<float>(0.4 * tone * env + noise * n);
  }
  return out;
}

inline const nlohmann::json& clap_waveform_params(const nlohmann::json& index, const std::string& name) {
  for (const auto& w : index.at("waveforms"))
    if (w.at("name") == name) return w;
  throw std::runtime_error("no waveform " + name + " in golden/clap/index.json");
}

}  // namespace foley::models::testing
