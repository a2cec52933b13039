#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/schedulers/scheduler_config.h"
#include "tensor/tensor.h"

namespace foley::models {

// A diffusion sampler as the pipeline drives it: set_timesteps(n), then one
// step() per entry of timesteps(), in order, each given the (guided) noise
// prediction for that timestep.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Prepares `num_inference_steps` steps and resets any multistep state.
  // Throws foley::Error when the count is 0 or above num_train_timesteps.
  virtual void set_timesteps(int64_t num_inference_steps) = 0;
  // The timesteps to run, descending (valid after set_timesteps).
  virtual const std::vector<int64_t>& timesteps() const = 0;
  // The sigmas of a sigma-parameterised sampler (one per timestep, then the
  // final one); empty for the others.
  virtual const std::vector<float>& sigmas() const {
    static const std::vector<float> kNone;
    return kNone;
  }
  // The factor the initial noise is multiplied by (1 for DDIM and DPM-Solver).
  virtual double init_noise_sigma() const { return 1.0; }
  // One denoising step: returns x_{t-1} from the noise prediction `model_output`
  // at `timestep` and the current `sample` (same shape, f32). Steps must follow
  // timesteps() in order (DPM-Solver++ keeps history).
  virtual tensor::Tensor step(const tensor::Tensor& model_output, int64_t timestep, const tensor::Tensor& sample) = 0;
  // "ddim" or "dpmsolver++".
  virtual std::string name() const = 0;
};

// Builds "ddim" or "dpmsolver++" from the folder's scheduler config, resolved
// with that class's defaults. Throws foley::Error (input) naming the kind when
// it is anything else, or file and key for a setting the class cannot honour.
std::unique_ptr<Scheduler> make_scheduler(const std::string& kind, const SchedulerConfigFile& config);

}  // namespace foley::models
