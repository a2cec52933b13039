#include "models/schedulers/timestep_spacing.h"

#include <cmath>

#include "common/error.h"

namespace foley::models {

namespace {

// np.linspace(0, stop, num): k * (stop / (num - 1)), the last point exactly
// `stop` (not the product, which can differ by an ulp and round differently).
std::vector<double> numpy_linspace(double stop, int64_t num) {
  std::vector<double> y(static_cast<size_t>(num));
  const double step = num > 1 ? stop / static_cast<double>(num - 1) : 0.0;
  for (int64_t k = 0; k < num; ++k) y[static_cast<size_t>(k)] = static_cast<double>(k) * step;
  if (num > 1) y.back() = stop;
  return y;
}

// np.arange(start, 0, -step) for a float step: ceil(-start / -step) values,
// start + i * delta where delta = (start - step) - start, as numpy fills it
// (not start - i * step: the two differ in the last bits).
std::vector<double> numpy_arange_down(double start, double step) {
  const auto length = static_cast<int64_t>(std::ceil((0.0 - start) / -step));
  std::vector<double> y;
  if (length <= 0) return y;
  const double delta = (start - step) - start;
  for (int64_t i = 0; i < length; ++i) y.push_back(i == 0 ? start : start + static_cast<double>(i) * delta);
  return y;
}

// numpy's round(): half to even, which nearbyint gives in the default mode.
int64_t round_half_even(double v) { return static_cast<int64_t>(std::nearbyint(v)); }

}  // namespace

void check_step_count(int64_t steps, int64_t num_train_timesteps, const std::string& scheduler) {
  if (steps < 1 || steps > num_train_timesteps)
    throw Error(scheduler + ": steps = " + std::to_string(steps) + " must be between 1 and " +
                std::to_string(num_train_timesteps));
}

std::vector<int64_t> spaced_timesteps(const SchedulerConfig& config, int64_t steps, SchedulerClass cls) {
  const int64_t T = config.num_train_timesteps;
  const bool dpm = cls == SchedulerClass::kDPMSolverMultistep;
  // DPM-Solver spaces one extra point and drops the smallest (its final
  // sigma stands for it).
  const int64_t points = dpm ? steps + 1 : steps;
  std::vector<int64_t> ts;
  if (config.timestep_spacing == "leading") {
    // np.arange(0, points) * (T // points), reversed, + steps_offset.
    const int64_t ratio = T / points;
    for (int64_t k = points - 1; k >= 0; --k) ts.push_back(k * ratio + config.steps_offset);
  } else if (config.timestep_spacing == "linspace") {
    // np.linspace(0, T - 1, points).round(), reversed.
    const std::vector<double> y = numpy_linspace(static_cast<double>(T - 1), points);
    for (auto it = y.rbegin(); it != y.rend(); ++it) ts.push_back(round_half_even(*it));
  } else {
    // np.round(np.arange(T, 0, -T / steps)) - 1 for both classes: no extra point.
    for (double v : numpy_arange_down(static_cast<double>(T), static_cast<double>(T) / static_cast<double>(steps)))
      ts.push_back(round_half_even(v) - 1);
    return ts;
  }
  if (dpm) ts.pop_back();
  return ts;
}

}  // namespace foley::models
