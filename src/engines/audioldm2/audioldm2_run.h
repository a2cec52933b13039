#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <vector>

#include "engines/audioldm2/audioldm2_generator.h"
#include "engines/engine.h"

namespace foley::engines {

// One request given to run_audioldm2.
struct AudioLdm2Run {
  const AudioLdm2Request* request = nullptr;
  std::filesystem::path out_path;
  ProgressFn progress;                                        // may be empty
  const CancelFlag* cancel = nullptr;                         // stops this request only
  std::function<void(const std::filesystem::path&)> on_temp;  // may be empty
};

// How one request ended: a result, or the exception that stopped it.
struct AudioLdm2RunOutcome {
  GenerationResult result;
  std::exception_ptr error;
};

// Runs N >= 1 requests with equal batch keys through one
// Generator::generate call (a single generation is a batch of one) and
// writes each waveform as a float32 16 kHz mono WAV to its out_path
// atomically: the temp file is created first (its path is passed to
// `on_temp`, so a client can remove it if the process running this dies),
// filled only after the last step, then renamed. Each request reports its
// steps, fails or is cancelled on its own and then leaves nothing at its
// out_path and no temp file. generation_seconds is the batch's wall time
// (every member waited for all of it); details hold model_fingerprint, seed,
// steps, scheduler, guidance, device and batch_size.
std::vector<AudioLdm2RunOutcome> run_audioldm2(Generator& generator, const std::vector<AudioLdm2Run>& runs);

}  // namespace foley::engines
