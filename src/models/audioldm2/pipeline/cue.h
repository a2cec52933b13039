#pragma once

// What the AudioLDM 2 pipeline takes and gives for one cue.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace foley::models {

// What one cue asks for (diffusers' __call__ arguments for one prompt).
struct GenerationParams {
  std::string prompt;
  std::optional<std::string> negative_prompt;  // nullopt = "" (diffusers' default)
  std::optional<double> duration_s;            // nullopt = the model default (10.24 s)
  uint64_t seed = 0;                           // torch.Generator("cpu").manual_seed(seed)
  // Which of diffusers' num_waveforms_per_prompt waveforms this is: its noise
  // is slice `take` of one randn call for takes 0..take (prepare_latents).
  int64_t take = 0;
  int64_t steps = 200;
  double guidance = 3.5;                       // classifier-free guidance iff > 1
  std::string scheduler = "ddim";              // "ddim" or "dpmsolver++"
  // Used as-is instead of seeded noise when defined: [1, C, T, F]; its T
  // overrides the duration's latent length (the trim length still follows
  // duration_s).
  tensor::Tensor initial_latents;
  // > 0: decode the VAE in windows of this many latent frames (bounded
  // memory; approximate, see AutoencoderKLDecoder::decode_chunked).
  int64_t vae_chunk_frames = 0;
  int64_t vae_chunk_overlap = 8;
};

// The UNet's conditioning for one cue, batched [uncond; cond] when guidance
// > 1 (batch 2), cond alone otherwise (batch 1).
struct UNetInputs {
  tensor::Tensor encoder_hidden_states;    // GPT-2 vectors [B, 8, D]
  tensor::Tensor encoder_hidden_states_1;  // T5 states [B, L, D1]
  tensor::Tensor encoder_attention_mask_1; // 0/1 [B, L]
};

// Intermediates `foley-gen dump` writes (names as the goldens'), all on the CPU.
struct GenerationTrace {
  std::vector<int64_t> timesteps;  // scheduler.timesteps
  std::vector<float> sigmas;       // scheduler.sigmas (empty for DDIM)
  tensor::Tensor latents_initial;  // latents.initial
  tensor::Tensor noise_pred_0;     // unet.noise_pred.0: the guided prediction at step 0
  tensor::Tensor latents_final;    // latents.final
  tensor::Tensor mel;              // vae.mel [1, 1, frames, bins]
  tensor::Tensor waveform;         // waveform [1, samples], trimmed
};

// Called after each denoising step with (steps done, total).
using StepProgress = std::function<void(int64_t, int64_t)>;

// One cue of a generation.
struct Cue {
  Cue() = default;
  // A cue is its parameters (implicitly: `generate_one({params})`) and what
  // else it brings.
  Cue(GenerationParams p, UNetInputs given = {}, StepProgress on_step = {}, GenerationTrace* t = nullptr)
      : params(std::move(p)), conditioning(std::move(given)), progress(std::move(on_step)), trace(t) {}

  GenerationParams params;
  // Defined: the UNet's conditioning as given (golden tensors; diffusers'
  // precomputed prompt embeddings), checked against params.guidance.
  // Undefined: encoded from params.prompt and params.negative_prompt.
  UNetInputs conditioning;
  // May be empty. A callback that throws (a cancelled client) stops this cue
  // alone: the exception becomes its outcome, the others go on.
  StepProgress progress;
  GenerationTrace* trace = nullptr;  // filled with this cue's intermediates when given
};

// What one cue ended with: the float32 16 kHz mono waveform [samples] on the
// CPU, or the exception that stopped it.
struct CueOutcome {
  tensor::Tensor waveform;
  std::exception_ptr error;
};

}  // namespace foley::models
