#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/schedulers/scheduler_config.h"

namespace foley::models {

// Throws foley::Error (input) unless 1 <= steps <= num_train_timesteps;
// `scheduler` names the sampler in the message.
void check_step_count(int64_t steps, int64_t num_train_timesteps, const std::string& scheduler);

// The descending timestep list of diffusers' set_timesteps for the config's
// timestep_spacing, computed with numpy's arithmetic (linspace, arange with a
// float step, round half to even) so that every step count gives diffusers'
// list exactly. DDIM spaces `steps` points; DPM-Solver spaces steps + 1 points
// and drops the smallest ("leading": ratio = T // (steps + 1)) — except for
// "trailing", where both take T / steps and keep every point.
std::vector<int64_t> spaced_timesteps(const SchedulerConfig& config, int64_t steps, SchedulerClass cls);

}  // namespace foley::models
