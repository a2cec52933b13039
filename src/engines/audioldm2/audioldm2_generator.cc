#include "engines/audioldm2/audioldm2_generator.h"

#include <cstdio>

namespace foley::engines {

std::string Generator::batch_key(const models::GenerationParams& p) const {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.17g", p.duration_s.value_or(kAudioLdm2DefaultDuration));
  return p.scheduler + "/" + std::to_string(p.steps) + "/" + duration + "s";
}

}  // namespace foley::engines
