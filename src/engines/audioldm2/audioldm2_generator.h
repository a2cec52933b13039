#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engines/audioldm2/audioldm2_params.h"
#include "common/error.h"
#include "request/result.h"

namespace foley::engines {

// A generated waveform: float32 mono samples in (-1, 1).
struct Waveform {
  std::vector<float> samples;
  int sample_rate = kAudioLdm2SampleRate;
};

// Called after each denoising step (1-based `step` of `steps`) and once per
// post-processing stage with step == steps.
using StepProgressFn = std::function<void(int step, int steps, const std::string& what)>;

// One request of a batch given to Generator::generate_batch.
struct GeneratorBatchItem {
  const GenerationParams* params = nullptr;
  StepProgressFn progress;             // may be empty
  const CancelFlag* cancel = nullptr;  // this request's flag: stops it alone
};

// What one batch item ended with: its waveform, or the exception that stopped
// it (GenerationCancelled, foley::Error, ...).
struct GeneratorBatchResult {
  Waveform waveform;
  std::exception_ptr error;
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

  // Requests whose keys are equal (and whose ModelKeys are) may be given to
  // one generate_batch call. Default: scheduler, steps and duration.
  virtual std::string batch_key(const GenerationParams& params) const;

  // Several requests with equal batch keys at once; each still gets exactly
  // the waveform its own parameters give (the pipeline generator shares one
  // UNet batch among them). One item's failure or cancellation does not stop
  // the others. Never throws for a single item's failure. Default: one
  // generate() after another.
  virtual std::vector<GeneratorBatchResult> generate_batch(const std::vector<GeneratorBatchItem>& items);
};

// Loads the model a key names. Throws foley::Error naming the folder/file.
using GeneratorLoader = std::function<std::shared_ptr<Generator>(const ModelKey& key)>;

// The loader of the real AudioLDM 2 pipeline (src/models/audioldm2/pipeline).
GeneratorLoader pipeline_generator_loader();

}  // namespace foley::engines
