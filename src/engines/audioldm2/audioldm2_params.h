#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "models/audioldm2/pipeline/cue.h"
#include "request/request_spec.h"

namespace foley::engines {

// The pipeline's output rate (float32 mono).
inline constexpr int kAudioLdm2SampleRate = 16000;

// The default length when a cue says `duration = "auto"`: the UNet's sample
// size (256 latent frames) × 4 × 0.01 s, as diffusers' pipeline defaults it.
inline constexpr double kAudioLdm2DefaultDuration = 10.24;
inline constexpr double kAudioLdm2MaxDuration = 150.0;

// Which loaded model can serve a request: requests with equal keys share one
// loaded pipeline (and, when their batch keys are equal, one UNet batch).
struct ModelKey {
  std::filesystem::path model_dir;
  std::string fingerprint;
  std::string device;
  int threads = 0;

  std::string str() const;
  bool operator<(const ModelKey& o) const;
};

// An audioldm2 request, resolved: the loaded model that serves it and what
// it asks of that model.
struct AudioLdm2Request {
  ModelKey model;
  models::GenerationParams params;  // duration_s and negative_prompt always set
};

// Checks an audioldm2 request and resolves it: duration 0 < d ≤ 150 (or
// "auto" = 10.24 s), steps ≥ 1, guidance ≥ 0, scheduler ddim|dpmsolver++,
// device cpu|cuda|cuda:N|auto resolved by tensor::select_device (auto → cuda:0
// when this build has CUDA and a usable GPU, else cpu; threads are dropped on
// a GPU). Throws foley::Error naming the cues, the profile and the field, and
// for an unusable CUDA device the reason.
// `prompt_influence`, when present, is accepted and ignored.
AudioLdm2Request resolve_audioldm2_request(const GenRequest& request);

// "cue a, cue b" (or the gen key when no cue is named), for messages.
std::string audioldm2_cues_of(const GenRequest& request);

}  // namespace foley::engines
