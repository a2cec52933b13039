#pragma once

#include "models/schedulers/scheduler.h"

namespace foley::models {

// diffusers' DDIMScheduler with eta = 0 (deterministic), epsilon prediction
// and clip_sample (the x0 prediction clamped to ±clip_sample_range: the class
// default, off in AudioLDM 2's config). With AudioLDM 2's config ("leading"
// spacing, steps_offset 1, set_alpha_to_one false) 200 steps are 996, 991,
// ..., 1 and the last step lands on ᾱ_0 = 0.9985. The update runs in f32 in
// diffusers' order.
class DDIMScheduler final : public Scheduler {
 public:
  explicit DDIMScheduler(const SchedulerConfig& config);

  void set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }
  tensor::Tensor step(const tensor::Tensor& model_output, int64_t timestep, const tensor::Tensor& sample) override;
  std::string name() const override { return "ddim"; }

  const std::vector<float>& alphas_cumprod() const { return alphas_cumprod_; }

 private:
  SchedulerConfig config_;
  std::vector<float> alphas_cumprod_;
  float final_alpha_cumprod_ = 1.0f;
  int64_t num_inference_steps_ = 0;
  std::vector<int64_t> timesteps_;
};

}  // namespace foley::models
