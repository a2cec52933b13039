#pragma once

// The "pipeline" cases of tests/fixtures/golden/<model>/index.json (made by
// tools/golden/dump_goldens.py): one diffusers AudioLDM2Pipeline run each.

#include <optional>
#include <string>
#include <vector>

#include "golden_util.h"

namespace foley::models::testing {

struct PipelineCase {
  std::string name;
  std::string prompt;
  std::optional<std::string> negative_prompt;
  uint64_t seed = 0;
  int64_t steps = 0;
  std::string scheduler;
  double duration_s = 0;
  double guidance = 0;
  int64_t mel_frames = 0;
  int64_t waveform_samples = 0;
  std::filesystem::path file;
};

inline std::vector<PipelineCase> pipeline_cases(const std::string& model) {
  auto index = nlohmann::json::parse(foley::read_file(golden_dir(model) / "index.json"));
  std::vector<PipelineCase> out;
  for (const auto& c : index.at("cases")) {
    if (c.value("kind", "") != "pipeline") continue;
    PipelineCase p;
    p.name = c.at("name").get<std::string>();
    p.prompt = c.at("prompt").get<std::string>();
    if (!c.at("negative_prompt").is_null()) p.negative_prompt = c.at("negative_prompt").get<std::string>();
    p.seed = c.at("seed").get<uint64_t>();
    p.steps = c.at("steps").get<int64_t>();
    p.scheduler = c.at("scheduler").get<std::string>();
    p.duration_s = c.at("duration_s").get<double>();
    p.guidance = c.at("guidance").get<double>();
    p.mel_frames = c.at("mel_frames").get<int64_t>();
    p.waveform_samples = c.at("waveform_samples").get<int64_t>();
    p.file = golden_dir(model) / c.at("file").get<std::string>();
    out.push_back(p);
  }
  return out;
}

inline const std::vector<std::string>& tiny_models() {
  static const std::vector<std::string> models{"tiny-audioldm2", "tiny-audioldm2-large"};
  return models;
}

}  // namespace foley::models::testing
