#include "models/audioldm2/pipeline/generation_pipeline.h"

#include <cmath>

#include "common/error.h"
#include "models/audioldm2/pipeline/allocator_tuning.h"
#include "models/schedulers/scheduler.h"
#include "tensor/random.h"

namespace foley::models {

using tensor::Tensor;

GenerationPipeline GenerationPipeline::load(const std::filesystem::path& model_dir, const tensor::Placement& placement) {
  tune_allocator_for_inference();
  GenerationPipeline p;
  p.unet_ = AudioLDM2UNet2DConditionModel::load(model_dir / "unet", placement);
  p.vae_ = AutoencoderKLDecoder::load(model_dir / "vae", placement);
  p.vocoder_ = SpeechT5HifiGan::load(model_dir / "vocoder", placement);
  p.scheduler_config_ = SchedulerConfigFile::load(model_dir / "scheduler" / "scheduler_config.json");
  if (p.unet_.config().in_channels != p.vae_.config().latent_channels)
    throw Error(model_dir.string() + ": unet in_channels " + std::to_string(p.unet_.config().in_channels) +
                " != vae latent_channels " + std::to_string(p.vae_.config().latent_channels));
  return p;
}

AudioLength GenerationPipeline::audio_length(std::optional<double> duration_s) const {
  LengthModel m;
  m.hop_length = vocoder_.config().hop_length();
  m.sampling_rate = vocoder_.config().sampling_rate;
  m.vae_scale_factor = vae_.config().scale_factor();
  m.mel_bins = vocoder_.config().model_in_dim;
  m.unet_sample_size = unet_.config().sample_size;
  return compute_audio_length(duration_s, m);
}

void check_generation_inputs(const GenerationParams& params, const UNetInputs& inputs) {
  if (!(std::isfinite(params.guidance) && params.guidance >= 0))
    throw Error("guidance " + std::to_string(params.guidance) + " must be a finite number >= 0");
  const int64_t rows = params.guidance > 1.0 ? 2 : 1;
  if (!inputs.encoder_hidden_states.defined() || inputs.encoder_hidden_states.dim() != 3 ||
      inputs.encoder_hidden_states.size(0) != rows || !inputs.encoder_hidden_states_1.defined() ||
      inputs.encoder_hidden_states_1.dim() != 3 || inputs.encoder_hidden_states_1.size(0) != rows)
    throw Error(std::string("generation: conditioning must have batch ") + std::to_string(rows) +
                (rows == 2 ? " ([uncond; cond] under guidance)" : " (no guidance)"));
  const Tensor& mask = inputs.encoder_attention_mask_1;
  if (mask.defined() &&
      (mask.dim() != 2 || mask.size(0) != rows || mask.size(1) != inputs.encoder_hidden_states_1.size(1)))
    throw Error("generation: T5 attention mask must be [" + std::to_string(rows) + ", L], got " + mask.to_string());
}

void check_finite(const Tensor& t, const std::string& stage) {
  // The mel and waveform may live on a GPU: read a host copy.
  const std::vector<float> values = t.to(tensor::Device::cpu()).to_vector_f32();
  int64_t bad = 0;
  for (float v : values) bad += std::isfinite(v) ? 0 : 1;
  if (bad > 0)
    throw Error::failure("generation: " + stage + " holds " + std::to_string(bad) +
                         " non-finite value(s) (NaN or Inf) of " + std::to_string(values.size()) +
                         "; nothing is written");
}

Tensor checked_scheduler_step(Scheduler& scheduler, const Tensor& eps, int64_t timestep, const Tensor& latents,
                              size_t index, size_t count) {
  Tensor next = scheduler.step(eps, timestep, latents);
  check_finite(next, "latents after " + scheduler.name() + " step " + std::to_string(index + 1) + "/" +
                         std::to_string(count) + " (timestep " + std::to_string(timestep) + ")");
  return next;
}

Tensor guided_prediction(const Tensor& eps, int64_t row, double guidance) {
  Tensor uncond = eps.narrow(0, row, 1), cond = eps.narrow(0, row + 1, 1);
  return tensor::add(uncond, tensor::scale(tensor::sub(cond, uncond), guidance));
}

Tensor GenerationPipeline::initial_latents(const GenerationParams& params, const AudioLength& length,
                                          double init_noise_sigma) const {
  Tensor latents;
  const tensor::Shape shape{1, unet_.config().in_channels, length.latent_frames, length.latent_bins};
  if (params.initial_latents.defined()) {
    const auto& s = params.initial_latents.shape();
    if (s.size() != 4 || s[0] != 1 || s[1] != shape[1] || s[3] != shape[3])
      throw Error("initial latents must be [1, " + std::to_string(shape[1]) + ", T, " + std::to_string(shape[3]) +
                  "], got " + params.initial_latents.to_string());
    latents = params.initial_latents.to(tensor::Device::cpu()).to(tensor::DType::kF32);
  } else {
    tensor::CpuGenerator generator(params.seed);
    latents = tensor::randn(shape, generator);
  }
  if (init_noise_sigma != 1.0) latents = tensor::scale(latents, init_noise_sigma);
  return latents;
}

Tensor GenerationPipeline::decode(const Tensor& latents, const GenerationParams& params, const AudioLength& length,
                                  GenerationTrace* trace) const {
  Tensor z = tensor::scale(latents, 1.0 / vae_.config().scaling_factor);
  Tensor mel = params.vae_chunk_frames > 0 ? vae_.decode_chunked(z, params.vae_chunk_frames, params.vae_chunk_overlap)
                                           : vae_.decode(z);
  check_finite(mel, "vae.mel");
  if (trace) trace->mel = mel.to(tensor::Device::cpu());
  Tensor wave = vocoder_.forward(mel.squeeze(1));  // [1, 160·T + 32]
  if (wave.size(1) > length.waveform_length) wave = wave.narrow(1, 0, length.waveform_length);
  wave = wave.to(tensor::Device::cpu());
  check_finite(wave, "vocoder.waveform");
  if (trace) trace->waveform = wave;
  return wave.squeeze(0);
}

Tensor GenerationPipeline::generate(const GenerationParams& params, const UNetInputs& inputs, GenerationTrace* trace,
                                    const StepProgress& progress) const {
  check_generation_inputs(params, inputs);
  const bool cfg = params.guidance > 1.0;

  const AudioLength length = audio_length(params.duration_s);
  auto scheduler = make_scheduler(params.scheduler, scheduler_config_);
  scheduler->set_timesteps(params.steps);

  Tensor latents = initial_latents(params, length, scheduler->init_noise_sigma());
  if (trace) {
    trace->timesteps = scheduler->timesteps();
    trace->sigmas = scheduler->sigmas();
    trace->latents_initial = latents;
  }

  const auto& timesteps = scheduler->timesteps();
  for (size_t i = 0; i < timesteps.size(); ++i) {
    const int64_t t = timesteps[i];
    Tensor x_in = cfg ? tensor::cat({latents, latents}, 0) : latents;
    Tensor eps = unet_.forward(x_in, static_cast<double>(t), inputs.encoder_hidden_states,
                               inputs.encoder_hidden_states_1, inputs.encoder_attention_mask_1);
    if (cfg) eps = guided_prediction(eps, 0, params.guidance);
    eps = eps.to(tensor::Device::cpu());  // the scheduler steps on the host
    if (trace && i == 0) trace->noise_pred_0 = eps;
    latents = checked_scheduler_step(*scheduler, eps, t, latents, i, timesteps.size());
    if (progress) progress(static_cast<int64_t>(i) + 1, static_cast<int64_t>(timesteps.size()));
  }
  if (trace) trace->latents_final = latents;

  return decode(latents, params, length, trace);
}

}  // namespace foley::models
