#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engines/audioldm2/audioldm2_params.h"
#include "models/audioldm2/pipeline/cue.h"

namespace foley::engines {

// One loaded text-to-audio model: the AudioLDM 2 pipeline, or a test's fake.
// The resident server keeps these alive between requests; calls come from
// one thread at a time.
class Generator {
 public:
  virtual ~Generator() = default;

  // Requests whose keys are equal (and whose ModelKeys are) may run in one
  // generate() call. Default: scheduler, steps and duration.
  virtual std::string batch_key(const models::GenerationParams& params) const;

  // As models::AudioLDM2Pipeline::generate: N >= 1 cues with equal batch
  // keys, one outcome each (a float32 16 kHz mono waveform [samples] on the
  // CPU, or the exception that stopped the cue). A cue whose progress
  // callback throws (its request was cancelled) stops alone; the others go
  // on. Throws only when the call as a whole fails.
  virtual std::vector<models::CueOutcome> generate(const std::vector<models::Cue>& cues) = 0;
};

// Loads the model a key names. Throws foley::Error naming the folder/file.
using GeneratorLoader = std::function<std::shared_ptr<Generator>(const ModelKey& key)>;

// The loader of the real AudioLDM 2 pipeline (src/models/audioldm2/pipeline).
GeneratorLoader pipeline_generator_loader();

}  // namespace foley::engines
