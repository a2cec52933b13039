#include "models/schedulers/scheduler.h"

#include "common/error.h"
#include "models/schedulers/ddim_scheduler.h"
#include "models/schedulers/dpm_solver_scheduler.h"

namespace foley::models {

std::unique_ptr<Scheduler> make_scheduler(const std::string& kind, const SchedulerConfigFile& config) {
  if (kind == "ddim") return std::make_unique<DDIMScheduler>(config.resolve(SchedulerClass::kDDIM));
  if (kind == "dpmsolver++")
    return std::make_unique<DPMSolverMultistepScheduler>(config.resolve(SchedulerClass::kDPMSolverMultistep));
  throw Error("unknown scheduler \"" + kind + "\": expected \"ddim\" or \"dpmsolver++\"");
}

}  // namespace foley::models
