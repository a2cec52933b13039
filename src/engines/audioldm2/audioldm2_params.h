#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "request/request_spec.h"

namespace foley::engines {

// Bumped when the engine's output for the same key fields changes.
inline constexpr int kAudioLdm2SampleRate = 16000;

// The default length when a cue says `duration = "auto"`: the UNet's sample
// size (256 latent frames) × 4 × 0.01 s, as diffusers' pipeline defaults it.
inline constexpr double kAudioLdm2DefaultDuration = 10.24;
inline constexpr double kAudioLdm2MaxDuration = 150.0;

// Everything one AudioLDM 2 generation needs, resolved from a GenRequest.
struct GenerationParams {
  std::filesystem::path model_dir;  // absolute diffusers folder
  std::string model_fingerprint;    // content hash of the folder (from the key fields)
  std::string prompt;
  std::string negative_prompt;      // "" = diffusers' empty unconditional prompt
  double duration_seconds = kAudioLdm2DefaultDuration;
  uint64_t seed = 0;
  int steps = 200;
  double guidance = 3.5;
  std::string scheduler = "ddim";  // "ddim" | "dpmsolver++"
  std::string device = "cpu";      // resolved: "cpu" or "cuda:N"
  int threads = 0;                 // 0 = the runtime's default (always 0 off the CPU)
};

// Which loaded model can serve a request: requests with equal keys share one
// loaded pipeline (and could later share one UNet batch).
struct ModelKey {
  std::filesystem::path model_dir;
  std::string fingerprint;
  std::string device;
  int threads = 0;

  std::string str() const;
  bool operator<(const ModelKey& o) const;
};

ModelKey model_key_of(const GenerationParams& params);

// Checks an audioldm2 request and resolves it: duration 0 < d ≤ 150 (or
// "auto" = 10.24 s), steps ≥ 1, guidance ≥ 0, scheduler ddim|dpmsolver++,
// device cpu|cuda|cuda:N|auto resolved by tensor::select_device (auto → cuda:0
// when this build has CUDA and a usable GPU, else cpu; threads are dropped on
// a GPU). Throws foley::Error naming the cues, the profile and the field, and
// for an unusable CUDA device the reason.
// `prompt_influence`, when present, is accepted and ignored.
GenerationParams generation_params_from_request(const GenRequest& request);

// "cue a, cue b" (or the gen key when no cue is named), for messages.
std::string audioldm2_cues_of(const GenRequest& request);

}  // namespace foley::engines
