#include "models/schedulers/timestep_spacing.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace foley::models {

void check_step_count(int64_t steps, int64_t num_train_timesteps, const std::string& scheduler) {
  if (steps < 1 || steps > num_train_timesteps)
    throw Error(scheduler + ": steps = " + std::to_string(steps) + " must be between 1 and " +
                std::to_string(num_train_timesteps));
}

std::vector<int64_t> spaced_timesteps(const SchedulerConfig& config, int64_t steps, int64_t points, bool drop_last) {
  const int64_t T = config.num_train_timesteps;
  std::vector<int64_t> ts;
  if (config.timestep_spacing == "leading") {
    // np.arange(0, points) * (T // points), reversed, + steps_offset.
    const int64_t ratio = T / points;
    for (int64_t k = points - 1; k >= 0; --k) ts.push_back(k * ratio + config.steps_offset);
  } else if (config.timestep_spacing == "linspace") {
    // np.linspace(0, T - 1, points).round(), reversed (round half to even as numpy).
    for (int64_t k = points - 1; k >= 0; --k) {
      double v = points == 1 ? 0.0 : static_cast<double>(T - 1) * static_cast<double>(k) / static_cast<double>(points - 1);
      ts.push_back(static_cast<int64_t>(std::nearbyint(v)));
    }
  } else {  // trailing: np.round(np.arange(T, 0, -T / steps)) - 1
    const double ratio = static_cast<double>(T) / static_cast<double>(steps);
    for (double v = static_cast<double>(T); v > 0; v -= ratio) ts.push_back(static_cast<int64_t>(std::nearbyint(v)) - 1);
    drop_last = false;
  }
  if (drop_last && !ts.empty()) ts.pop_back();
  return ts;
}

}  // namespace foley::models
