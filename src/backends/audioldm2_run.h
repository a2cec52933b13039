#pragma once

#include <filesystem>
#include <functional>

#include "backends/audioldm2_generator.h"
#include "backends/engine.h"

namespace foley::backends {

// Runs one generation with a loaded `generator` and writes the waveform as a
// float32 16 kHz mono WAV to `out_path` atomically: the temp file is created
// first (its path is passed to `on_temp`, so a client can remove it if the
// process running this dies), filled only after the last step, then renamed.
// A failure or cancellation leaves nothing at out_path and no temp file.
// The result's details hold model_fingerprint, seed, steps, scheduler,
// guidance and device.
GenerationResult run_audioldm2_generation(Generator& generator, const GenerationParams& params,
                                          const std::filesystem::path& out_path, const ProgressFn& progress,
                                          const CancelFlag& cancel,
                                          const std::function<void(const std::filesystem::path&)>& on_temp = {});

}  // namespace foley::backends
