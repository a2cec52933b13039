#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/audioldm2/pipeline/audio_length.h"
#include "models/schedulers/scheduler_config.h"
#include "models/audioldm2/unet/unet_2d_condition_model.h"
#include "models/audioldm2/vae/autoencoder_kl_decoder.h"
#include "models/audioldm2/vocoder/speecht5_hifigan.h"

namespace foley::models {

// What one generation asks for (diffusers' __call__ arguments).
struct GenerationParams {
  std::string prompt;
  std::optional<std::string> negative_prompt;  // nullopt = "" (diffusers' default)
  std::optional<double> duration_s;            // nullopt = the model default (10.24 s)
  uint64_t seed = 0;                           // torch.Generator("cpu").manual_seed(seed)
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

// The UNet's conditioning for one generation, batched [uncond; cond] when
// guidance > 1 (batch 2), cond alone otherwise (batch 1).
struct UNetInputs {
  tensor::Tensor encoder_hidden_states;    // GPT-2 vectors [B, 8, D]
  tensor::Tensor encoder_hidden_states_1;  // T5 states [B, L, D1]
  tensor::Tensor encoder_attention_mask_1; // 0/1 [B, L]
};

// Throws foley::Error (input) unless params.guidance is a finite number >= 0
// and `inputs` have the batch it implies (2 under guidance, else 1) and a T5
// mask, when given, of [batch, L].
void check_generation_inputs(const GenerationParams& params, const UNetInputs& inputs);

// The guided noise prediction from the UNet's [uncond; cond] rows
// eps.narrow(0, row, 2): uncond + guidance * (cond - uncond), as diffusers.
tensor::Tensor guided_prediction(const tensor::Tensor& eps, int64_t row, double guidance);

class Scheduler;

// Throws foley::Error "generation: <stage> holds N non-finite values ..."
// when `t` has a NaN or an infinity: a generation never writes non-finite
// audio (a poisoned weight or a degenerate config fails here, named).
void check_finite(const tensor::Tensor& t, const std::string& stage);

// One denoising step (step `index` of `count`, at `timestep`) whose result is
// checked with check_finite, so a failure names the step.
tensor::Tensor checked_scheduler_step(Scheduler& scheduler, const tensor::Tensor& eps, int64_t timestep,
                                      const tensor::Tensor& latents, size_t index, size_t count);

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

// The generation half of diffusers' AudioLDM2Pipeline: initial latents,
// classifier-free guided scheduler loop over the UNet, VAE decode, vocoder,
// trim. Text conditioning comes from outside (Conditioner, or golden tensors).
class GenerationPipeline {
 public:
  // Loads unet/, vae/, vocoder/ and scheduler/ of a diffusers AudioLDM 2
  // folder, the models' weights onto `placement`. The schedulers always run on
  // the CPU: latents stay there and cross to the device at the UNet's and the
  // VAE's entry, the noise prediction comes back for each scheduler step.
  static GenerationPipeline load(const std::filesystem::path& model_dir, const tensor::Placement& placement = {});

  // The length arithmetic for `duration_s` with this model's constants.
  AudioLength audio_length(std::optional<double> duration_s) const;

  // Runs one generation; returns the float32 16 kHz mono waveform [samples]
  // on the CPU. The conditioning may be on any device.
  // Throws foley::Error (input) on a bad parameter or conditioning shape.
  tensor::Tensor generate(const GenerationParams& params, const UNetInputs& inputs, GenerationTrace* trace = nullptr,
                          const StepProgress& progress = {}) const;

  // The starting latents [1, C, T, F] of one generation: params.initial_latents
  // when defined (checked against the model's C and F), else torch-CPU randn of
  // params.seed; scaled by the scheduler's `init_noise_sigma`.
  tensor::Tensor initial_latents(const GenerationParams& params, const AudioLength& length,
                                 double init_noise_sigma) const;

  // Final latents [1, C, T, F] → waveform [samples] on the CPU: VAE decode
  // (windowed when params.vae_chunk_frames > 0), vocoder, trim to
  // length.waveform_length. Fills trace->mel and trace->waveform (CPU copies)
  // when a trace is given.
  tensor::Tensor decode(const tensor::Tensor& latents, const GenerationParams& params, const AudioLength& length,
                        GenerationTrace* trace = nullptr) const;

  const AudioLDM2UNet2DConditionModel& unet() const { return unet_; }
  const AutoencoderKLDecoder& vae() const { return vae_; }
  const SpeechT5HifiGan& vocoder() const { return vocoder_; }
  const SchedulerConfigFile& scheduler_config() const { return scheduler_config_; }
  // Where the UNet, VAE and vocoder run.
  tensor::Device device() const { return unet_.device(); }

 private:
  AudioLDM2UNet2DConditionModel unet_;
  AutoencoderKLDecoder vae_;
  SpeechT5HifiGan vocoder_;
  SchedulerConfigFile scheduler_config_;
};

}  // namespace foley::models
