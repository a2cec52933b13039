#include "models/audioldm2/pipeline/audio_length.h"

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace foley::models {

AudioLength compute_audio_length(std::optional<double> seconds, const LengthModel& m) {
  const double upsample_factor = static_cast<double>(m.hop_length) / static_cast<double>(m.sampling_rate);
  AudioLength a;
  a.seconds = seconds.value_or(static_cast<double>(m.unet_sample_size * m.vae_scale_factor) * upsample_factor);
  const double minimum = upsample_factor * static_cast<double>(m.vae_scale_factor);
  if (!std::isfinite(a.seconds) || a.seconds < minimum) {
    std::ostringstream msg;
    msg << "duration " << a.seconds << " s is shorter than the model's minimum of " << minimum << " s";
    throw Error(msg.str());
  }
  if (m.mel_bins % m.vae_scale_factor != 0)
    throw Error("vocoder model_in_dim " + std::to_string(m.mel_bins) + " is not a multiple of the VAE factor " +
                std::to_string(m.vae_scale_factor));
  // int(seconds / 0.01) in float64: 0.29 s → 28.999... → 28 frames, as diffusers.
  a.mel_frames = static_cast<int64_t>(a.seconds / upsample_factor);
  a.waveform_length = static_cast<int64_t>(a.seconds * static_cast<double>(m.sampling_rate));
  if (a.mel_frames % m.vae_scale_factor != 0)
    a.mel_frames = (a.mel_frames + m.vae_scale_factor - 1) / m.vae_scale_factor * m.vae_scale_factor;
  a.latent_frames = a.mel_frames / m.vae_scale_factor;
  a.latent_bins = m.mel_bins / m.vae_scale_factor;
  return a;
}

}  // namespace foley::models
