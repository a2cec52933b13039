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
// timestep_spacing, built over `points` points of which the last (the
// smallest) is dropped when `drop_last`. DDIM uses points = steps, no drop;
// DPM-Solver uses points = steps + 1 and drops the last one (so "leading"
// gives ratio = T // (steps + 1)).
std::vector<int64_t> spaced_timesteps(const SchedulerConfig& config, int64_t steps, int64_t points, bool drop_last);

}  // namespace foley::models
