#include "models/schedulers/scheduler_config.h"

#include <cmath>

#include "common/error.h"
#include "models/config_json.h"

namespace foley::models {

SchedulerConfig SchedulerConfig::from_json(const nlohmann::json& object, const std::string& source) {
  ConfigReader r(object, source);
  SchedulerConfig c;
  c.num_train_timesteps = r.positive("num_train_timesteps", c.num_train_timesteps);
  c.beta_start = r.number("beta_start", c.beta_start);
  c.beta_end = r.number("beta_end", c.beta_end);
  c.beta_schedule = r.string("beta_schedule", c.beta_schedule);
  c.prediction_type = r.string("prediction_type", c.prediction_type);
  c.timestep_spacing = r.string("timestep_spacing", c.timestep_spacing);
  c.steps_offset = r.integer("steps_offset", c.steps_offset);
  c.set_alpha_to_one = r.boolean("set_alpha_to_one", c.set_alpha_to_one);
  c.clip_sample = r.boolean("clip_sample", c.clip_sample);
  c.thresholding = r.boolean("thresholding", c.thresholding);
  if (c.beta_schedule != "scaled_linear" && c.beta_schedule != "linear")
    r.fail("beta_schedule", "only \"scaled_linear\" and \"linear\" are supported");
  if (c.prediction_type != "epsilon") r.fail("prediction_type", "only \"epsilon\" is supported");
  if (c.timestep_spacing != "leading" && c.timestep_spacing != "linspace" && c.timestep_spacing != "trailing")
    r.fail("timestep_spacing", "expected \"leading\", \"linspace\" or \"trailing\"");
  if (c.clip_sample) r.fail("clip_sample", "sample clipping is not supported");
  if (c.thresholding) r.fail("thresholding", "dynamic thresholding is not supported");
  if (r.has("trained_betas")) r.fail("trained_betas", "trained betas are not supported");
  if (r.boolean("rescale_betas_zero_snr", false)) r.fail("rescale_betas_zero_snr", "not supported");
  if (c.num_train_timesteps < 2) r.fail("num_train_timesteps", "must be at least 2");
  return c;
}

SchedulerConfig SchedulerConfig::load(const std::filesystem::path& path) {
  return from_json(read_json_object(path), path.string());
}

std::vector<float> SchedulerConfig::alphas_cumprod() const {
  // torch.linspace(start, end, n, dtype=float32): f32 step, the first half
  // counted from the start and the second half from the end.
  const int64_t n = num_train_timesteps;
  const bool scaled = beta_schedule == "scaled_linear";
  const float start = static_cast<float>(scaled ? std::sqrt(beta_start) : beta_start);
  const float end = static_cast<float>(scaled ? std::sqrt(beta_end) : beta_end);
  const float step = (end - start) / static_cast<float>(n - 1);
  const int64_t halfway = n / 2;
  std::vector<float> out(static_cast<size_t>(n));
  double cumulative = 1.0;
  for (int64_t i = 0; i < n; ++i) {
    float v = i < halfway ? start + step * static_cast<float>(i) : end - step * static_cast<float>(n - i - 1);
    float beta = scaled ? v * v : v;
    float alpha = 1.0f - beta;
    cumulative *= static_cast<double>(alpha);
    out[static_cast<size_t>(i)] = static_cast<float>(cumulative);
  }
  return out;
}

}  // namespace foley::models
