#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::models {

// The diffusers scheduler classes foley implements. One scheduler_config.json
// (AudioLDM 2 ships a DDIMScheduler config) builds either, as diffusers'
// `<Class>.from_config(pipe.scheduler.config)` does: each class reads the keys
// of its own __init__, takes its own defaults for absent ones, and ignores the
// keys of other classes.
enum class SchedulerClass { kDDIM, kDPMSolverMultistep };

// The settings of one scheduler class resolved from a config. Member defaults
// are the class defaults both classes share; from_json applies the rest.
struct SchedulerConfig {
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  std::string beta_schedule = "linear";      // or "scaled_linear"
  std::string prediction_type = "epsilon";   // the only one supported
  std::string timestep_spacing = "leading";  // "leading", "linspace" or "trailing" (DPM default "linspace")
  int64_t steps_offset = 0;

  // DDIMScheduler only.
  bool set_alpha_to_one = true;
  bool clip_sample = true;  // clamp the x0 prediction to ±clip_sample_range
  double clip_sample_range = 1.0;

  // DPMSolverMultistepScheduler only (algorithm "dpmsolver++").
  int64_t solver_order = 2;                 // 1, 2 or 3
  std::string solver_type = "midpoint";     // or "heun"
  bool lower_order_final = true;            // lower orders on the last steps when steps < 15
  bool euler_at_final = false;              // first order on the last step whatever the count
  std::string final_sigmas_type = "zero";   // or "sigma_min"

  // Resolves `object` for `cls`; `source` names the file in errors. A key of
  // the class that would change the output and is not implemented
  // (thresholding, Karras sigmas, v-prediction...) is a foley::Error naming
  // file and key: never silently ignored.
  static SchedulerConfig from_json(const nlohmann::json& object, const std::string& source, SchedulerClass cls);
  // Reads `<model>/scheduler/scheduler_config.json` (or any such file) for `cls`.
  static SchedulerConfig load(const std::filesystem::path& path, SchedulerClass cls);

  // ᾱ_t for t = 0..num_train_timesteps-1, as float32 exactly as diffusers
  // computes them (torch.linspace in f32, squared, 1-β, cumprod accumulated in
  // double and stored as f32).
  std::vector<float> alphas_cumprod() const;
};

// A scheduler config file as read, before a class resolves it (a pipeline
// does not know which scheduler a generation asks for until it runs).
struct SchedulerConfigFile {
  nlohmann::json object = nlohmann::json::object();
  std::string source = "(scheduler config)";

  static SchedulerConfigFile load(const std::filesystem::path& path);
  SchedulerConfig resolve(SchedulerClass cls) const { return SchedulerConfig::from_json(object, source, cls); }
};

}  // namespace foley::models
