#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models {

// scheduler/scheduler_config.json of an AudioLDM 2 folder (a DDIMScheduler
// config). DPM-Solver++ is built from the same values, as diffusers'
// DPMSolverMultistepScheduler.from_config(pipe.scheduler.config) does.
struct SchedulerConfig {
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.0015;
  double beta_end = 0.0195;
  std::string beta_schedule = "scaled_linear";  // or "linear"
  std::string prediction_type = "epsilon";      // the only one supported
  std::string timestep_spacing = "leading";     // "leading", "linspace" or "trailing"
  int64_t steps_offset = 1;
  bool set_alpha_to_one = false;
  bool clip_sample = false;   // must be false (AudioLDM 2 never clips)
  bool thresholding = false;  // must be false

  // Parses a config object; `source` names it in errors. Unsupported
  // settings (v-prediction, clipping, trained betas...) are a foley::Error.
  static SchedulerConfig from_json(const nlohmann::json& object, const std::string& source);
  // Reads `<model>/scheduler/scheduler_config.json` (or any such file).
  static SchedulerConfig load(const std::filesystem::path& path);

  // ᾱ_t for t = 0..num_train_timesteps-1, as float32 exactly as diffusers
  // computes them (torch.linspace in f32, squared, 1-β, cumprod accumulated in
  // double and stored as f32).
  std::vector<float> alphas_cumprod() const;
};

}  // namespace foley::models
