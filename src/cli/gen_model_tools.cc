#include "cli/gen_model_tools.h"

#include <cstdio>

#include "common/log.h"
#include "engine/dump.h"
#include "engine/model_info.h"
#include "engine/pipeline/text_to_audio.h"
#include "tensor/safetensors.h"

namespace foley::cli {

int run_dump(const DumpOptions& o) {
  if (!o.generate) {
    engine::dump_conditioning(o.model, o.prompt, o.negative_prompt, o.out);
    log_info("wrote " + o.out.string());
    return 0;
  }
  engine::GenerationParams params;
  params.prompt = o.prompt;
  params.negative_prompt = o.negative_prompt;
  params.duration_s = o.duration;
  params.seed = o.seed;
  params.steps = o.steps;
  params.guidance = o.guidance;
  params.scheduler = o.scheduler;
  if (!o.latents.empty()) params.initial_latents = engine::load_initial_latents(o.latents);
  engine::dump_generation(o.model, params, o.out);
  log_info("wrote " + o.out.string());
  return 0;
}

int run_info(const std::filesystem::path& model) {
  std::fputs(engine::describe_model(model).c_str(), stdout);
  return 0;
}

}  // namespace foley::cli
