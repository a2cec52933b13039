#include "models/schedulers/scheduler_config.h"

#include <cmath>

#include "common/error.h"
#include "models/config_json.h"

namespace foley::models {

namespace {

// Keys both classes read with the same meaning and the same defaults.
void read_shared(const ConfigReader& r, SchedulerConfig& c) {
  c.num_train_timesteps = r.positive("num_train_timesteps", c.num_train_timesteps);
  c.beta_start = r.number("beta_start", c.beta_start);
  c.beta_end = r.number("beta_end", c.beta_end);
  c.beta_schedule = r.string("beta_schedule", c.beta_schedule);
  c.prediction_type = r.string("prediction_type", c.prediction_type);
  c.timestep_spacing = r.string("timestep_spacing", c.timestep_spacing);
  c.steps_offset = r.integer("steps_offset", c.steps_offset);
  if (c.beta_schedule != "scaled_linear" && c.beta_schedule != "linear")
    r.fail("beta_schedule", "only \"scaled_linear\" and \"linear\" are supported");
  if (c.prediction_type != "epsilon") r.fail("prediction_type", "only \"epsilon\" is supported");
  if (c.timestep_spacing != "leading" && c.timestep_spacing != "linspace" && c.timestep_spacing != "trailing")
    r.fail("timestep_spacing", "expected \"leading\", \"linspace\" or \"trailing\"");
  if (c.num_train_timesteps < 2) r.fail("num_train_timesteps", "must be at least 2");
  if (r.has("trained_betas")) r.fail("trained_betas", "trained betas are not supported");
  if (r.boolean("rescale_betas_zero_snr", false)) r.fail("rescale_betas_zero_snr", "not supported");
  // dynamic_thresholding_ratio and sample_max_value only act under thresholding.
  if (r.boolean("thresholding", false)) r.fail("thresholding", "dynamic thresholding is not supported");
}

void read_ddim(const ConfigReader& r, SchedulerConfig& c) {
  c.set_alpha_to_one = r.boolean("set_alpha_to_one", c.set_alpha_to_one);
  c.clip_sample = r.boolean("clip_sample", c.clip_sample);
  c.clip_sample_range = r.number("clip_sample_range", c.clip_sample_range);
  if (!(c.clip_sample_range >= 0)) r.fail("clip_sample_range", "must be a number >= 0");
}

void read_dpm(const ConfigReader& r, SchedulerConfig& c) {
  c.solver_order = r.integer("solver_order", c.solver_order);
  c.solver_type = r.string("solver_type", c.solver_type);
  c.lower_order_final = r.boolean("lower_order_final", c.lower_order_final);
  c.euler_at_final = r.boolean("euler_at_final", c.euler_at_final);
  c.final_sigmas_type = r.string("final_sigmas_type", c.final_sigmas_type);
  if (c.solver_order < 1 || c.solver_order > 3) r.fail("solver_order", "expected 1, 2 or 3");
  // diffusers maps the UniPC solver types onto midpoint.
  if (c.solver_type == "logrho" || c.solver_type == "bh1" || c.solver_type == "bh2") c.solver_type = "midpoint";
  if (c.solver_type != "midpoint" && c.solver_type != "heun") r.fail("solver_type", "expected \"midpoint\" or \"heun\"");
  if (c.final_sigmas_type != "zero" && c.final_sigmas_type != "sigma_min")
    r.fail("final_sigmas_type", "expected \"zero\" or \"sigma_min\"");
  // diffusers rewrites "deis" to "dpmsolver++".
  const std::string algorithm = r.string("algorithm_type", "dpmsolver++");
  if (algorithm != "dpmsolver++" && algorithm != "deis")
    r.fail("algorithm_type", "only \"dpmsolver++\" (or \"deis\", its alias) is supported: \"dpmsolver\", "
                             "\"sde-dpmsolver\" and \"sde-dpmsolver++\" are not");
  // As diffusers: a "deis" run has no final sigma of zero.
  if (algorithm == "deis" && c.final_sigmas_type == "zero")
    r.fail("final_sigmas_type", "\"zero\" is not supported with algorithm_type \"deis\"; use \"sigma_min\"");
  // flow_shift only acts under use_flow_sigmas.
  for (const char* key :
       {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas"})
    if (r.boolean(key, false)) r.fail(key, "not supported (only the schedule's own sigmas are)");
  // -inf clips nothing; a finite bound moves the last timestep.
  const double lambda_min = r.number("lambda_min_clipped", -std::numeric_limits<double>::infinity());
  if (!(std::isinf(lambda_min) && lambda_min < 0)) r.fail("lambda_min_clipped", "only -Infinity is supported");
  if (r.has("variance_type")) r.fail("variance_type", "learned variance is not supported");
}

}  // namespace

SchedulerConfig SchedulerConfig::from_json(const nlohmann::json& object, const std::string& source,
                                           SchedulerClass cls) {
  ConfigReader r(object, source);
  SchedulerConfig c;
  if (cls == SchedulerClass::kDPMSolverMultistep) c.timestep_spacing = "linspace";
  read_shared(r, c);
  if (cls == SchedulerClass::kDDIM) {
    read_ddim(r, c);
  } else {
    read_dpm(r, c);
  }
  return c;
}

SchedulerConfig SchedulerConfig::load(const std::filesystem::path& path, SchedulerClass cls) {
  return from_json(read_json_object(path), path.string(), cls);
}

SchedulerConfigFile SchedulerConfigFile::load(const std::filesystem::path& path) {
  SchedulerConfigFile f;
  f.object = read_json_object(path);
  f.source = path.string();
  return f;
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
