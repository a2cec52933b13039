#include "models/schedulers/dpm_solver_scheduler.h"

#include <cmath>

#include "common/error.h"
#include "models/schedulers/timestep_spacing.h"

namespace foley::models {

using tensor::Tensor;

namespace {

// (α_t, σ_t) of a VP sigma: α = 1/sqrt(σ² + 1), σ_t = σ α.
struct AlphaSigma {
  float alpha;
  float sigma;
  float lambda;  // log α − log σ (+inf at σ = 0)
};

AlphaSigma alpha_sigma(float sigma) {
  AlphaSigma r;
  r.alpha = 1.0f / std::sqrt(sigma * sigma + 1.0f);
  r.sigma = sigma * r.alpha;
  r.lambda = std::log(r.alpha) - std::log(r.sigma);
  return r;
}

}  // namespace

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(const SchedulerConfig& config)
    : config_(config), alphas_cumprod_(config.alphas_cumprod()) {}

void DPMSolverMultistepScheduler::set_timesteps(int64_t num_inference_steps) {
  check_step_count(num_inference_steps, config_.num_train_timesteps, "dpmsolver++");
  timesteps_ = spaced_timesteps(config_, num_inference_steps, num_inference_steps + 1, /*drop_last=*/true);
  sigmas_.clear();
  for (int64_t t : timesteps_) {
    const float a = alphas_cumprod_[static_cast<size_t>(t)];
    sigmas_.push_back(std::sqrt((1.0f - a) / a));
  }
  sigmas_.push_back(0.0f);  // final_sigmas_type "zero"
  step_index_ = 0;
  previous_x0_ = Tensor();
  lower_order_nums_ = 0;
}

Tensor DPMSolverMultistepScheduler::step(const Tensor& model_output, int64_t timestep, const Tensor& sample) {
  if (timesteps_.empty()) throw Error::failure("DPMSolverMultistepScheduler::step before set_timesteps");
  if (step_index_ >= timesteps_.size())
    throw Error::failure("DPMSolverMultistepScheduler::step: all " + std::to_string(timesteps_.size()) +
                         " steps were already taken");
  if (timestep != timesteps_[step_index_])
    throw Error::failure("DPMSolverMultistepScheduler::step: expected timestep " +
                         std::to_string(timesteps_[step_index_]) + ", got " + std::to_string(timestep));
  if (model_output.shape() != sample.shape())
    throw Error("DPM-Solver step: model output " + model_output.to_string() + " and sample " + sample.to_string() +
                " differ in shape");

  const AlphaSigma s0 = alpha_sigma(sigmas_[step_index_]);
  const AlphaSigma t = alpha_sigma(sigmas_[step_index_ + 1]);
  const bool last = step_index_ + 1 == timesteps_.size();

  // Data prediction x0 = (x − σ_t ε)/α_t.
  Tensor eps = model_output.to(tensor::DType::kF32);
  Tensor x = sample.to(tensor::DType::kF32);
  const int64_t n = x.numel();
  Tensor x0 = Tensor::empty(x.shape());
  {
    const float* e = eps.data<float>();
    const float* s = x.data<float>();
    float* d = x0.data<float>();
    for (int64_t i = 0; i < n; ++i) d[i] = (s[i] - s0.sigma * e[i]) / s0.alpha;
  }

  const float h = t.lambda - s0.lambda;
  const float ratio = t.sigma / s0.sigma;
  const float coef = t.alpha * (std::exp(-h) - 1.0f);
  Tensor out = Tensor::empty(x.shape());
  const float* s = x.data<float>();
  const float* d0 = x0.data<float>();
  float* o = out.data<float>();
  // First order on the first step and on the final step (final sigma zero);
  // second-order midpoint otherwise.
  if (lower_order_nums_ < 1 || last) {
    for (int64_t i = 0; i < n; ++i) o[i] = ratio * s[i] - coef * d0[i];
  } else {
    const AlphaSigma s1 = alpha_sigma(sigmas_[step_index_ - 1]);
    const float h0 = s0.lambda - s1.lambda;
    const float r0 = h0 / h;
    const float inv_r0 = 1.0f / r0;
    const float half_coef = 0.5f * coef;
    const float* m1 = previous_x0_.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      const float d1 = inv_r0 * (d0[i] - m1[i]);
      o[i] = ratio * s[i] - coef * d0[i] - half_coef * d1;
    }
  }
  previous_x0_ = x0;
  if (lower_order_nums_ < 2) ++lower_order_nums_;
  ++step_index_;
  return out;
}

}  // namespace foley::models
