#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/audioldm2/conditioner.h"
#include "models/audioldm2/pipeline/audio_length.h"
#include "models/audioldm2/pipeline/cue.h"
#include "models/audioldm2/unet/unet_2d_condition_model.h"
#include "models/audioldm2/vae/autoencoder_kl_decoder.h"
#include "models/audioldm2/vocoder/speecht5_hifigan.h"
#include "models/schedulers/scheduler_config.h"

namespace foley::models {

// Whether AudioLDM2Pipeline::load reads the text encoders (CLAP, T5,
// projection, GPT-2). Without them every cue must bring its conditioning.
enum class TextEncoders { kLoad, kSkip };

// diffusers' AudioLDM2Pipeline: text conditioning (Conditioner), initial
// latents, the classifier-free guided scheduler loop over the UNet, VAE
// decode, vocoder, trim; for a batch of N >= 1 cues that share one UNet call
// per step (N = 1 is a single generation).
class AudioLDM2Pipeline {
 public:
  // Loads a diffusers AudioLDM 2 folder, the models' weights onto
  // `placement`. The schedulers always run on the CPU: latents stay there and
  // cross to the device at the UNet's and the VAE's entry, the noise
  // prediction comes back for each scheduler step.
  static AudioLDM2Pipeline load(const std::filesystem::path& model_dir, const tensor::Placement& placement = {},
                                TextEncoders text_encoders = TextEncoders::kLoad);

  // Runs the cues' denoising loops in ONE UNet call per step: the latents of
  // all cues (each twice under guidance) are concatenated along the batch
  // axis, the GPT-2 vectors too, and the T5 states are zero-padded to the
  // longest cue's length with mask 0 (the UNet turns that into the -10000
  // bias, so a padded key gets no attention weight). Each cue keeps its own
  // seeded noise, guidance combine and scheduler state (DPM-Solver++
  // history), then is decoded (VAE, vocoder, trim) on its own. A cue alone
  // runs exactly its own conditioning, unpadded; in a batch its result equals
  // that up to the GEMM/conv kernels' rounding for another batch size
  // (tests/models/pipeline_batched_generation_test.cc states the measured
  // tolerance). A cue with bad parameters or conditioning gets that error in
  // its outcome and the others run; cues whose batch keys differ throw
  // foley::Error (input) before any work.
  std::vector<CueOutcome> generate(const std::vector<Cue>& cues) const;

  // generate({cue}) with the cue's error rethrown: its waveform [samples].
  tensor::Tensor generate_one(Cue cue) const;

  // Cues may share one generate() call when their batch keys are equal: same
  // steps, scheduler, latent length (the duration's latent frames) and VAE
  // windowing. Seeds, prompts, negative prompts, guidance and trim lengths
  // may differ. Throws foley::Error (input) on a bad duration.
  std::string batch_key(const GenerationParams& params) const;

  // The length arithmetic for `duration_s` with this model's constants.
  AudioLength audio_length(std::optional<double> duration_s) const;

  // encode_prompt: the UNet inputs of params.prompt ([uncond; cond] with
  // params.negative_prompt under guidance). Throws foley::Error when the
  // pipeline was loaded without its text encoders.
  UNetInputs encode_prompt(const GenerationParams& params) const;

  // prepare_latents: the starting latents [1, C, T, F] of one cue:
  // params.initial_latents when defined (checked against the model's C and
  // F), else torch-CPU randn of params.seed; scaled by `init_noise_sigma`.
  tensor::Tensor prepare_latents(const GenerationParams& params, const AudioLength& length,
                                 double init_noise_sigma) const;

  // Final latents [1, C, T, F] → waveform [samples] on the CPU: VAE decode
  // (windowed when params.vae_chunk_frames > 0), vocoder, trim to
  // length.waveform_length. Fills trace->mel and trace->waveform (CPU copies)
  // when a trace is given.
  tensor::Tensor decode(const tensor::Tensor& latents, const GenerationParams& params, const AudioLength& length,
                        GenerationTrace* trace = nullptr) const;

  const AudioLDM2UNet2DConditionModel& unet() const { return unet_; }
  AudioLDM2UNet2DConditionModel& unet() { return unet_; }
  const AutoencoderKLDecoder& vae() const { return vae_; }
  const SpeechT5HifiGan& vocoder() const { return vocoder_; }
  const SchedulerConfigFile& scheduler_config() const { return scheduler_config_; }
  // Where the UNet, VAE and vocoder run.
  tensor::Device device() const { return unet_.device(); }

 private:
  std::shared_ptr<const Conditioner> conditioner_;  // null under TextEncoders::kSkip
  AudioLDM2UNet2DConditionModel unet_;
  AutoencoderKLDecoder vae_;
  SpeechT5HifiGan vocoder_;
  SchedulerConfigFile scheduler_config_;
};

// The guided noise prediction from the UNet's [uncond; cond] rows
// eps.narrow(0, row, 2): uncond + guidance * (cond - uncond), as diffusers.
tensor::Tensor guided_prediction(const tensor::Tensor& eps, int64_t row, double guidance);

// Throws foley::Error "generation: <stage> holds N non-finite values ..."
// when `t` has a NaN or an infinity: a generation never writes non-finite
// audio (a poisoned weight or a degenerate config fails here, named).
void check_finite(const tensor::Tensor& t, const std::string& stage);

// The starting noise of take `take` of a prompt with `seed`: diffusers'
// waveform `take` of num_waveforms_per_prompt = N > take, i.e. slice `take`
// of torch.randn([N, ...shape[1:]], generator=torch.Generator("cpu")
// .manual_seed(seed)), the same for every N when a slice holds a multiple of
// 16 values. `shape` is one take's ([1, C, T, F]).
tensor::Tensor take_noise(const tensor::Shape& shape, uint64_t seed, int64_t take);

}  // namespace foley::models
