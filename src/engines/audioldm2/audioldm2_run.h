#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <vector>

#include "engines/audioldm2/audioldm2_generator.h"
#include "engines/engine.h"

namespace foley::engines {

// Runs one generation with a loaded `generator` and writes the waveform as a
// float32 16 kHz mono WAV to `out_path` atomically: the temp file is created
// first (its path is passed to `on_temp`, so a client can remove it if the
// process running this dies), filled only after the last step, then renamed.
// A failure or cancellation leaves nothing at out_path and no temp file.
// The result's details hold model_fingerprint, seed, steps, scheduler,
// guidance, device and batch_size (1).
GenerationResult run_audioldm2_generation(Generator& generator, const GenerationParams& params,
                                          const std::filesystem::path& out_path, const ProgressFn& progress,
                                          const CancelFlag& cancel,
                                          const std::function<void(const std::filesystem::path&)>& on_temp = {});

// One request of run_audioldm2_batch.
struct BatchRun {
  const GenerationParams* params = nullptr;
  std::filesystem::path out_path;
  ProgressFn progress;                                            // may be empty
  const CancelFlag* cancel = nullptr;                             // stops this request only
  std::function<void(const std::filesystem::path&)> on_temp;      // may be empty
};

// How one request of a batch ended: a result, or the exception that stopped it.
struct BatchRunOutcome {
  GenerationResult result;
  std::exception_ptr error;
};

// run_audioldm2_generation for several requests with equal batch keys, run
// through one Generator::generate_batch call: same files, same atomicity,
// each request failing or being cancelled on its own. generation_seconds is
// the batch's wall time (every member waited for all of it) and details hold
// batch_size.
std::vector<BatchRunOutcome> run_audioldm2_batch(Generator& generator, const std::vector<BatchRun>& runs);

}  // namespace foley::engines
