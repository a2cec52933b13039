#include "engines/registry.h"

#include "engines/audioldm2/audioldm2_engine.h"
#include "engines/elevenlabs/elevenlabs_engine.h"
#include "engines/exec/exec_engine.h"
#include "common/error.h"

namespace foley::engines {

std::unique_ptr<Engine> make_engine(const std::string& engine) {
  if (engine == "exec") return std::make_unique<ExecEngine>();
  if (engine == "elevenlabs") return std::make_unique<ElevenLabsEngine>();
  if (engine == "audioldm2") return std::make_unique<AudioLdm2Engine>();
  throw Error("engine \"" + engine + "\" is not available in this build");
}

}  // namespace foley::engines
