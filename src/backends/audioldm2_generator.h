#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/audioldm2_params.h"
#include "common/error.h"

namespace foley::backends {

// A generated waveform: float32 mono samples in (-1, 1).
struct Waveform {
  std::vector<float> samples;
  int sample_rate = kAudioLdm2SampleRate;
};

// Called after each denoising step (1-based `step` of `steps`) and once per
// post-processing stage with step == steps.
using StepProgressFn = std::function<void(int step, int steps, const std::string& what)>;

// Set by whoever wants the generation to stop; polled between steps.
using CancelFlag = std::atomic<bool>;

// Thrown by a Generator that saw its cancel flag set. It is a foley::Error
// (failure, exit 1) so code that does not care treats it as any failure.
class GenerationCancelled : public Error {
 public:
  GenerationCancelled() : Error("generation cancelled", Kind::kFailure) {}
};

// One loaded text-to-audio model. The resident server keeps these alive
// between requests; generate() may be called many times, from one thread at
// a time.
class Generator {
 public:
  virtual ~Generator() = default;

  // The waveform for `params` (whose model fields match the loaded model).
  // Reports each step through `progress` (may be empty), checks `cancel`
  // between steps and throws GenerationCancelled when it is set; throws
  // foley::Error on any other failure.
  virtual Waveform generate(const GenerationParams& params, const StepProgressFn& progress,
                            const CancelFlag& cancel) = 0;
};

// Loads the model a key names. Throws foley::Error naming the folder/file.
using GeneratorLoader = std::function<std::shared_ptr<Generator>(const ModelKey& key)>;

// The loader of the real AudioLDM 2 pipeline (src/engine/pipeline).
GeneratorLoader pipeline_generator_loader();

}  // namespace foley::backends
