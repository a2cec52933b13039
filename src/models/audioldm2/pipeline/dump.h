#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "models/audioldm2/conditioner.h"
#include "models/audioldm2/pipeline/cue.h"

namespace foley::models {

// The named tensors of a Conditioning, as `foley-gen dump` writes them:
// clap.input_ids, clap.attention_mask, clap.text_embeds, t5.input_ids,
// t5.attention_mask, t5.last_hidden_state, projection.hidden_states,
// projection.attention_mask, gpt2.generated (ids and masks as i64), and the
// same names with a ".neg" suffix for the unconditional branch. Stages that
// were not computed are left out.
std::map<std::string, tensor::Tensor> conditioning_tensors(const Conditioning& conditioning);

// `foley-gen dump`: loads the conditioning stack of `model_dir`, encodes
// `prompt` with classifier-free guidance (the unconditional branch uses
// `negative_prompt`, or "" when absent) and writes every stage to
// `out_safetensors` atomically. Throws foley::Error on bad input or model.
void dump_conditioning(const std::filesystem::path& model_dir, const std::string& prompt,
                       const std::optional<std::string>& negative_prompt,
                       const std::filesystem::path& out_safetensors);

// The trace as named tensors: scheduler.timesteps, scheduler.sigmas,
// latents.initial, unet.noise_pred.0, latents.final, vae.mel, waveform
// (absent stages left out).
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
