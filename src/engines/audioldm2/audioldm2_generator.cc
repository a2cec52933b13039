#include "engines/audioldm2/audioldm2_generator.h"

#include <cstdio>

namespace foley::engines {

std::string Generator::batch_key(const GenerationParams& p) const {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.17g", p.duration_seconds);
  return p.scheduler + "/" + std::to_string(p.steps) + "/" + duration + "s";
}

std::vector<GeneratorBatchResult> Generator::generate_batch(const std::vector<GeneratorBatchItem>& items) {
  std::vector<GeneratorBatchResult> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    try {
      out[i].waveform = generate(*items[i].params, items[i].progress, *items[i].cancel);
    } catch (...) {
      out[i].error = std::current_exception();
    }
  }
  return out;
}

}  // namespace foley::engines
