#include "cli/gen_model_tools.h"

#include <cstdio>

#include "common/log.h"
#include "models/audioldm2/pipeline/dump.h"
#include "models/audioldm2/pipeline/model_info.h"
#include "tensor/safetensors.h"

namespace foley::cli {

int run_dump(const DumpOptions& o) {
  if (!o.generate) {
    models::dump_conditioning(o.model, o.prompt, o.negative_prompt, o.out);
    log_info("wrote " + o.out.string());
    return 0;
  }
  models::GenerationParams params;
  params.prompt = o.prompt;
  params.negative_prompt = o.negative_prompt;
  params.duration_s = o.duration;
  params.seed = o.seed;
  params.steps = o.steps;
  params.guidance = o.guidance;
  params.scheduler = o.scheduler;
  if (!o.latents.empty()) params.initial_latents = models::load_initial_latents(o.latents);
  models::dump_generation(o.model, params, o.out);
  log_info("wrote " + o.out.string());
  return 0;
}

int run_info(const std::filesystem::path& model) {
  std::fputs(models::describe_model(model).c_str(), stdout);
  return 0;
}

}  // namespace foley::cli
