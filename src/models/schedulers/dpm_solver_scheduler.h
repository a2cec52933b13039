#pragma once

#include <deque>

#include "models/schedulers/scheduler.h"

namespace foley::models {

// diffusers' DPMSolverMultistepScheduler with algorithm "dpmsolver++" (data
// prediction), epsilon prediction and the schedule's own sigmas: solver order
// 1, 2 or 3, midpoint or heun second-order terms, lower-order final steps
// (lower_order_final, euler_at_final) and a final sigma of zero or sigma_min;
// every other option is refused by SchedulerConfig. Built from the DDIM config
// of an AudioLDM 2 folder as from_config does (AudioLDM 2's "leading", offset
// 1: 20 steps → 941, 894, ..., 48). Multistep: step() keeps up to two previous
// data predictions, so steps must be taken in timesteps() order after
// set_timesteps(). Scalars are f32 like diffusers' 0-d tensors.
class DPMSolverMultistepScheduler final : public Scheduler {
 public:
  explicit DPMSolverMultistepScheduler(const SchedulerConfig& config);

  void set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }
  const std::vector<float>& sigmas() const override { return sigmas_; }
  tensor::Tensor step(const tensor::Tensor& model_output, int64_t timestep, const tensor::Tensor& sample) override;
  std::string name() const override { return "dpmsolver++"; }

 private:
  // The order of the update at step_index_ (diffusers' lower_order_nums and
  // lower-order-final rules).
  int order_of_step() const;

  SchedulerConfig config_;
  std::vector<float> alphas_cumprod_;
  std::vector<int64_t> timesteps_;
  std::vector<float> sigmas_;  // σ_k = sqrt((1-ᾱ)/ᾱ) per timestep, then the final sigma
  size_t step_index_ = 0;
  std::deque<tensor::Tensor> previous_x0_;  // data predictions of the previous steps, newest last
  int lower_order_nums_ = 0;
};

}  // namespace foley::models
