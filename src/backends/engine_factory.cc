#include "backends/engine_factory.h"

#include "backends/audioldm2_engine.h"
#include "backends/elevenlabs_engine.h"
#include "backends/exec_engine.h"
#include "common/error.h"

namespace foley::backends {

std::unique_ptr<Engine> make_engine(const std::string& engine) {
  if (engine == "exec") return std::make_unique<ExecEngine>();
  if (engine == "elevenlabs") return std::make_unique<ElevenLabsEngine>();
  if (engine == "audioldm2") return std::make_unique<AudioLdm2Engine>();
  throw Error("engine \"" + engine + "\" is not available in this build");
}

}  // namespace foley::backends
