#pragma once

#include <cstdint>
#include <optional>

namespace foley::models {

// The model constants the pipeline's length arithmetic needs.
struct LengthModel {
  int64_t hop_length = 160;        // prod(vocoder.upsample_rates)
  int64_t sampling_rate = 16000;   // vocoder.sampling_rate
  int64_t vae_scale_factor = 4;    // 2^(len(vae.block_out_channels) - 1)
  int64_t mel_bins = 64;           // vocoder.model_in_dim
  int64_t unet_sample_size = 256;  // default latent time length
};

// The sizes of one generation, computed exactly as diffusers'
// AudioLDM2Pipeline does (float64, int() truncation, then rounded up to a
// multiple of the VAE factor): 10.24 s → 1024 mel frames, latent 256 x 16,
// 163872 vocoder samples trimmed to 163840.
struct AudioLength {
  double seconds = 0;
  int64_t mel_frames = 0;       // "height"
  int64_t latent_frames = 0;    // mel_frames / vae_scale_factor
  int64_t latent_bins = 0;      // mel_bins / vae_scale_factor
  int64_t waveform_length = 0;  // int(seconds * sampling_rate): the trim length
};

// `seconds` absent = the model's default (sample_size x vae factor x hop /
// rate). Throws foley::Error (input) for a length below one latent frame
// (0.04 s) or a non-finite one, and when mel_bins is not a multiple of the
// VAE factor.
AudioLength compute_audio_length(std::optional<double> seconds, const LengthModel& model);

}  // namespace foley::models
