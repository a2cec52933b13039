#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "models/audioldm2/conditioner.h"
#include "models/audioldm2/pipeline/batched_generation.h"
#include "models/audioldm2/pipeline/generation_pipeline.h"

namespace foley::models {

// The whole AudioLDM 2 text-to-audio pipeline for one model folder: the
// Conditioner (CLAP + T5 → projection → GPT-2) feeding GenerationPipeline.
// Loading maps the weights once; generate() may be called many times.
class TextToAudio {
 public:
  // Loads every model of `model_dir` onto `placement` (the CPU by default).
  static TextToAudio load(const std::filesystem::path& model_dir, const tensor::Placement& placement = {});

  // Text → float32 16 kHz mono waveform [samples] on the CPU. The unconditional branch
  // uses params.negative_prompt, or "" when absent (as diffusers).
  tensor::Tensor generate(const GenerationParams& params, GenerationTrace* trace = nullptr,
                          const StepProgress& progress = {}) const;

  // Text → waveforms for several requests with equal batch_key()s, the
  // denoising loops sharing one UNet call per step (models::generate_batch).
  // Each request is conditioned on its own; a request whose conditioning or
  // progress callback throws gets that exception in its outcome, the others
  // go on. params[i].initial_latents are honoured as in generate().
  std::vector<BatchOutcome> generate_batch(const std::vector<GenerationParams>& params,
                                           const std::vector<StepProgress>& progress) const;

  const GenerationPipeline& generation() const { return *generation_; }
  const Conditioner& conditioner() const { return *conditioner_; }
  tensor::Device device() const { return generation_->device(); }

 private:
  std::shared_ptr<Conditioner> conditioner_;
  std::shared_ptr<GenerationPipeline> generation_;
};

// The UNet inputs of a Conditioning (batched [uncond; cond] under CFG).
UNetInputs unet_inputs(const Conditioning& conditioning);

// The trace as named tensors: latents.initial, unet.noise_pred.0,
// latents.final, vae.mel, waveform (absent stages left out).
std::map<std::string, tensor::Tensor> generation_tensors(const GenerationTrace& trace);

// `foley-gen dump --seed --steps --guidance --scheduler --duration --latents`:
// loads `model_dir`, runs one generation for `params` and writes the trace
// (generation_tensors) to `out_safetensors` atomically.
void dump_generation(const std::filesystem::path& model_dir, const GenerationParams& params,
                     const std::filesystem::path& out_safetensors);

// Reads initial latents for GenerationParams::initial_latents from a
// safetensors file: the tensor named `latents.initial`, else the file's only
// tensor. Throws foley::Error naming the file otherwise.
tensor::Tensor load_initial_latents(const std::filesystem::path& path);

}  // namespace foley::models
