#pragma once

#include <memory>

#include "engines/audioldm2/audioldm2_generator.h"

namespace foley::engines {

// Latent frames above which the VAE decodes in windows (bounded memory for
// long clips: its mid-block attention is quadratic in length). 1024 latent
// frames = 40.96 s; shorter clips decode in one piece, exactly as diffusers.
inline constexpr int64_t kVaeChunkAboveLatentFrames = 1024;
inline constexpr int64_t kVaeChunkFrames = 512;

// Loads models::AudioLDM2Pipeline for `key` onto key.device (only the text branch of
// CLAP, the encoders, UNet, VAE decoder and vocoder; on the CPU the weights
// stay mmapped, on CUDA they are copied once, matrices in bf16) and wraps it
// as a Generator. Throws foley::Error naming the folder or file, or why the
// device cannot be used (tensor::select_device).
std::shared_ptr<Generator> load_pipeline_generator(const ModelKey& key);

}  // namespace foley::engines
