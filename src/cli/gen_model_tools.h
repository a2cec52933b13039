#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <string>

namespace foley::cli {

// Options of `foley-gen dump`.
struct DumpOptions {
  std::filesystem::path model;
  std::string prompt;
  std::optional<std::string> negative_prompt;
  std::filesystem::path out;
  // Generation stages: dumped when `generate` is set (any of --seed, --steps,
  // --guidance, --scheduler, --duration, --latents was given).
  bool generate = false;
  uint64_t seed = 0;
  int64_t steps = 200;
  double guidance = 3.5;
  std::string scheduler = "ddim";
  std::optional<double> duration;
  std::filesystem::path latents;  // initial latents file (safetensors), optional
};

// `foley-gen dump`: writes every conditioning stage's tensors for a model
// folder to a safetensors file and, with generation options, the generation
// stages too (latents.initial, unet.noise_pred.0, latents.final, vae.mel,
// waveform) — for debugging and parity checks against diffusers.
int run_dump(const DumpOptions& options);

// `foley-gen info`: describes a model folder (components, configs, parameter
// counts, dtypes, memory) before loading it.
int run_info(const std::filesystem::path& model);

}  // namespace foley::cli
