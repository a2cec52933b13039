#include "models/schedulers/dpm_solver_scheduler.h"

#include <algorithm>
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

float sigma_of(float alpha_cumprod) { return std::sqrt((1.0f - alpha_cumprod) / alpha_cumprod); }

}  // namespace

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(const SchedulerConfig& config)
    : config_(config), alphas_cumprod_(config.alphas_cumprod()) {}

void DPMSolverMultistepScheduler::set_timesteps(int64_t num_inference_steps) {
  check_step_count(num_inference_steps, config_.num_train_timesteps, "dpmsolver++");
  timesteps_ = spaced_timesteps(config_, num_inference_steps, SchedulerClass::kDPMSolverMultistep);
  sigmas_.clear();
  // diffusers reads the sigmas with np.interp, which clamps at both ends: a
  // timestep past the schedule ("leading" with steps_offset at the highest
  // step counts reaches T; "trailing" can reach -1) takes the end value.
  const auto last = static_cast<int64_t>(alphas_cumprod_.size()) - 1;
  for (int64_t t : timesteps_)
    sigmas_.push_back(sigma_of(alphas_cumprod_[static_cast<size_t>(std::clamp<int64_t>(t, 0, last))]));
  sigmas_.push_back(config_.final_sigmas_type == "sigma_min" ? sigma_of(alphas_cumprod_.front()) : 0.0f);
  step_index_ = 0;
  previous_x0_.clear();
  lower_order_nums_ = 0;
}

int DPMSolverMultistepScheduler::order_of_step() const {
  const size_t n = timesteps_.size();
  const bool short_run = config_.lower_order_final && n < 15;
  const bool lower_order_final = step_index_ + 1 == n && (config_.euler_at_final || short_run ||
                                                          config_.final_sigmas_type == "zero");
  const bool lower_order_second = step_index_ + 2 == n && short_run;
  if (config_.solver_order == 1 || lower_order_nums_ < 1 || lower_order_final) return 1;
  if (config_.solver_order == 2 || lower_order_nums_ < 2 || lower_order_second) return 2;
  return 3;
}

Tensor DPMSolverMultistepScheduler::step(const Tensor& model_output, int64_t timestep, const Tensor& sample) {
  if (timesteps_.empty()) throw Error::failure("DPMSolverMultistepScheduler::step before set_timesteps");
  if (step_index_ >= timesteps_.size())
    throw Error::failure("DPMSolverMultistepScheduler::step: all " + std::to_string(timesteps_.size()) +
                         " steps were already taken");
  if (timestep != timesteps_[step_index_])
    throw Error::failure("DPMSolverMultistepScheduler::step: expected timestep " +
                         std::to_string(timesteps_[step_index_]) + ", got " + std::to_string(timestep));
  // diffusers starts at the second occurrence of a repeated first timestep
  // ("leading" at steps = num_train_timesteps repeats every one) and then runs
  // past its sigmas: no run of diffusers to match, so none here either.
  if (step_index_ == 0 && std::count(timesteps_.begin(), timesteps_.end(), timesteps_.front()) > 1)
    throw Error("dpmsolver++: " + std::to_string(timesteps_.size()) + " steps over " +
                std::to_string(config_.num_train_timesteps) + " train steps with timestep_spacing \"" +
                config_.timestep_spacing + "\" repeat the first timestep " + std::to_string(timesteps_.front()) +
                ", which diffusers cannot run; use fewer steps");
  if (model_output.shape() != sample.shape())
    throw Error("DPM-Solver step: model output " + model_output.to_string() + " and sample " + sample.to_string() +
                " differ in shape");

  const AlphaSigma s0 = alpha_sigma(sigmas_[step_index_]);
  const AlphaSigma t = alpha_sigma(sigmas_[step_index_ + 1]);
  const int order = order_of_step();

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

  // Every update is ratio·x − coef·D0 plus correction terms; the scalar
  // expressions keep diffusers' f32 order of operations.
  const float h = t.lambda - s0.lambda;
  const float ratio = t.sigma / s0.sigma;
  const float expm1_h = std::exp(-h) - 1.0f;
  const float coef = t.alpha * expm1_h;
  Tensor out = Tensor::empty(x.shape());
  const float* s = x.data<float>();
  const float* d0 = x0.data<float>();
  float* o = out.data<float>();
  if (order == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = ratio * s[i] - coef * d0[i];
  } else if (order == 2) {
    const AlphaSigma s1 = alpha_sigma(sigmas_[step_index_ - 1]);
    const float r0 = (s0.lambda - s1.lambda) / h;
    const float inv_r0 = 1.0f / r0;
    const float* m1 = previous_x0_.back().data<float>();
    if (config_.solver_type == "midpoint") {
      const float half_coef = 0.5f * coef;
      for (int64_t i = 0; i < n; ++i) o[i] = ratio * s[i] - coef * d0[i] - half_coef * (inv_r0 * (d0[i] - m1[i]));
    } else {  // heun
      const float c1 = t.alpha * (expm1_h / h + 1.0f);
      for (int64_t i = 0; i < n; ++i) o[i] = ratio * s[i] - coef * d0[i] + c1 * (inv_r0 * (d0[i] - m1[i]));
    }
  } else {
    const AlphaSigma s1 = alpha_sigma(sigmas_[step_index_ - 1]);
    const AlphaSigma s2 = alpha_sigma(sigmas_[step_index_ - 2]);
    const float r0 = (s0.lambda - s1.lambda) / h;
    const float r1 = (s1.lambda - s2.lambda) / h;
    const float inv_r0 = 1.0f / r0, inv_r1 = 1.0f / r1;
    const float w = r0 / (r0 + r1), inv_sum = 1.0f / (r0 + r1);
    const float c1 = t.alpha * (expm1_h / h + 1.0f);
    const float c2 = t.alpha * ((expm1_h + h) / (h * h) - 0.5f);
    const float* m1 = previous_x0_.back().data<float>();
    const float* m2 = previous_x0_[previous_x0_.size() - 2].data<float>();
    for (int64_t i = 0; i < n; ++i) {
      const float d1_0 = inv_r0 * (d0[i] - m1[i]);
      const float d1_1 = inv_r1 * (m1[i] - m2[i]);
      const float d1 = d1_0 + w * (d1_0 - d1_1);
      const float d2 = inv_sum * (d1_0 - d1_1);
      o[i] = ratio * s[i] - coef * d0[i] + c1 * d1 - c2 * d2;
    }
  }
  previous_x0_.push_back(x0);
  if (previous_x0_.size() > 2) previous_x0_.pop_front();
  if (lower_order_nums_ < config_.solver_order) ++lower_order_nums_;
  ++step_index_;
  return out;
}

}  // namespace foley::models
