#include "models/schedulers/ddim_scheduler.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "models/schedulers/timestep_spacing.h"

namespace foley::models {

using tensor::Tensor;

DDIMScheduler::DDIMScheduler(const SchedulerConfig& config)
    : config_(config), alphas_cumprod_(config.alphas_cumprod()) {
  final_alpha_cumprod_ = config.set_alpha_to_one ? 1.0f : alphas_cumprod_.front();
}

void DDIMScheduler::set_timesteps(int64_t num_inference_steps) {
  check_step_count(num_inference_steps, config_.num_train_timesteps, "ddim");
  num_inference_steps_ = num_inference_steps;
  timesteps_ = spaced_timesteps(config_, num_inference_steps, SchedulerClass::kDDIM);
}

Tensor DDIMScheduler::step(const Tensor& model_output, int64_t timestep, const Tensor& sample) {
  if (num_inference_steps_ == 0) throw Error::failure("DDIMScheduler::step before set_timesteps");
  if (model_output.shape() != sample.shape())
    throw Error("DDIM step: model output " + model_output.to_string() + " and sample " + sample.to_string() +
                " differ in shape");
  if (timestep < 0 || timestep >= config_.num_train_timesteps)
    throw Error("DDIM step: timestep " + std::to_string(timestep) + " outside [0, " +
                std::to_string(config_.num_train_timesteps) + ")");
  const int64_t prev_timestep = timestep - config_.num_train_timesteps / num_inference_steps_;
  const float alpha_prod_t = alphas_cumprod_[static_cast<size_t>(timestep)];
  const float alpha_prod_t_prev =
      prev_timestep >= 0 ? alphas_cumprod_[static_cast<size_t>(prev_timestep)] : final_alpha_cumprod_;
  const float beta_prod_t = 1.0f - alpha_prod_t;
  // f32 scalars as torch computes them on 0-d tensors (torch's `** 0.5` on a
  // 0-d f32 tensor is not always correctly rounded: ~20% of the ᾱ values
  // differ from sqrtf by one ulp, hence a few ulps of drift over a trajectory).
  const float sqrt_beta = std::sqrt(beta_prod_t);
  const float sqrt_alpha = std::sqrt(alpha_prod_t);
  const float sqrt_alpha_prev = std::sqrt(alpha_prod_t_prev);
  const float direction = std::sqrt(1.0f - alpha_prod_t_prev - 0.0f);

  Tensor eps = model_output.to(tensor::DType::kF32);
  Tensor x = sample.to(tensor::DType::kF32);
  Tensor out = Tensor::empty(x.shape());
  const float* e = eps.data<float>();
  const float* s = x.data<float>();
  float* o = out.data<float>();
  const float clip = static_cast<float>(config_.clip_sample_range);
  for (int64_t i = 0; i < x.numel(); ++i) {
    float x0 = (s[i] - sqrt_beta * e[i]) / sqrt_alpha;
    if (config_.clip_sample) x0 = std::clamp(x0, -clip, clip);
    o[i] = sqrt_alpha_prev * x0 + direction * e[i];
  }
  return out;
}

}  // namespace foley::models
