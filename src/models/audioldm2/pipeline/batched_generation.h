#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "models/audioldm2/pipeline/generation_pipeline.h"

namespace foley::models {

// One request of a batched generation: its own parameters (seed, prompt,
// guidance, duration), its own conditioning (as GenerationPipeline::generate
// takes it: [uncond; cond] under guidance, cond alone otherwise) and its own
// progress callback. A callback that throws (a cancelled client) drops this
// member from the batch; the others go on.
struct BatchMember {
  GenerationParams params;
  UNetInputs inputs;
  StepProgress progress;
};

// What one member ended with: the waveform [samples] exactly as
// GenerationPipeline::generate returns it, or the exception that stopped it.
struct BatchOutcome {
  tensor::Tensor waveform;
  std::exception_ptr error;
};

// Members may share one UNet batch when their batch keys are equal: same
// steps, scheduler and latent length (the duration's latent frames). Seeds,
// prompts, negative prompts, guidance and trim lengths may differ. Throws
// foley::Error (input) on a bad duration.
std::string batch_key(const GenerationPipeline& pipeline, const GenerationParams& params);

// Runs every member's denoising loop in ONE UNet call per step: the latents
// of all members (each twice under guidance) are concatenated along the batch
// axis, the GPT-2 vectors too, and the T5 states are zero-padded to the
// longest member's length with mask 0 (the UNet turns that into the -10000
// bias, so a padded key gets no attention weight). Each member keeps its own
// seeded noise, guidance combine and scheduler state (DPM-Solver++ history),
// then is decoded (VAE, vocoder, trim) on its own. A member's result equals
// what it gives alone up to the GEMM/conv kernels' rounding for a different
// batch size (tests/models/pipeline_batched_generation_test.cc states the measured
// tolerance). A member with bad parameters or conditioning gets that error
// in its outcome and the others run; members whose batch keys differ throw
// foley::Error (input) before any work.
std::vector<BatchOutcome> generate_batch(const GenerationPipeline& pipeline, const std::vector<BatchMember>& members);

}  // namespace foley::models
