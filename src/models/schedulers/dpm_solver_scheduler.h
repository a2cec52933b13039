#pragma once

#include "models/schedulers/scheduler.h"

namespace foley::models {

// diffusers' DPMSolverMultistepScheduler as from_config(DDIM config) builds
// it: DPM-Solver++ (data prediction), solver order 2, midpoint, lower-order
// final step, final sigma zero, no Karras sigmas. Timesteps follow the DDIM
// config's spacing over steps + 1 points ("leading": ratio = T // (n + 1),
// 20 steps → 941, 894, ..., 48). Multistep: step() keeps the previous data
// prediction, so steps must be taken in timesteps() order after
// set_timesteps(). Scalars are f32 like diffusers' 0-d tensors.
class DPMSolverMultistepScheduler final : public Scheduler {
 public:
  explicit DPMSolverMultistepScheduler(const SchedulerConfig& config);

  void set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }
  tensor::Tensor step(const tensor::Tensor& model_output, int64_t timestep, const tensor::Tensor& sample) override;
  std::string name() const override { return "dpmsolver++"; }

  // σ_k = sqrt((1-ᾱ)/ᾱ) at each timestep, then a final 0 (steps + 1 values).
  const std::vector<float>& sigmas() const { return sigmas_; }

 private:
  SchedulerConfig config_;
  std::vector<float> alphas_cumprod_;
  std::vector<int64_t> timesteps_;
  std::vector<float> sigmas_;
  size_t step_index_ = 0;
  tensor::Tensor previous_x0_;  // data prediction of the previous step
  int lower_order_nums_ = 0;
};

}  // namespace foley::models
