#include "models/audioldm2/pipeline/pipeline_audioldm2.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "models/audioldm2/pipeline/allocator_tuning.h"
#include "models/schedulers/scheduler.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace foley::models {
namespace {

using tensor::Tensor;

// Throws foley::Error (input) unless params.guidance is a finite number >= 0.
void check_guidance(const GenerationParams& params) {
  if (!(std::isfinite(params.guidance) && params.guidance >= 0))
    throw Error("guidance " + std::to_string(params.guidance) + " must be a finite number >= 0");
}

// Throws foley::Error (input) unless `inputs` have the batch params.guidance
// implies (2 under guidance, else 1) and a T5 mask, when given, of [batch, L].
void check_conditioning(const GenerationParams& params, const UNetInputs& inputs) {
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

// One denoising step (step `index` of `count`, at `timestep`) whose result is
// checked with check_finite, so a failure names the step.
Tensor checked_scheduler_step(Scheduler& scheduler, const Tensor& eps, int64_t timestep, const Tensor& latents,
                              size_t index, size_t count) {
  Tensor next = scheduler.step(eps, timestep, latents);
  check_finite(next, "latents after " + scheduler.name() + " step " + std::to_string(index + 1) + "/" +
                         std::to_string(count) + " (timestep " + std::to_string(timestep) + ")");
  return next;
}

// One cue's running state.
struct Lane {
  const Cue* cue = nullptr;
  UNetInputs inputs;
  AudioLength length;
  bool cfg = false;
  std::unique_ptr<Scheduler> scheduler;
  Tensor latents;
  bool active = false;
};

int64_t rows_of(const Lane& lane) { return lane.cfg ? 2 : 1; }

// The UNet conditioning of the active lanes, concatenated in lane order; T5
// states padded with zeros (mask 0) to the longest. A lane alone passes its
// conditioning through untouched.
UNetInputs batch_inputs(const std::vector<Lane>& lanes) {
  std::vector<const Lane*> active;
  int64_t longest = 0;
  for (const auto& lane : lanes) {
    if (!lane.active) continue;
    active.push_back(&lane);
    longest = std::max(longest, lane.inputs.encoder_hidden_states_1.size(1));
  }
  if (active.empty()) return {};
  if (active.size() == 1) return active.front()->inputs;
  std::vector<Tensor> gpt2, t5, mask;
  for (const Lane* lane : active) {
    const UNetInputs& in = lane->inputs;
    const int64_t len = in.encoder_hidden_states_1.size(1);
    Tensor m = in.encoder_attention_mask_1.defined() ? in.encoder_attention_mask_1.to(tensor::DType::kF32)
                                                     : Tensor::full({rows_of(*lane), len}, 1.0);
    Tensor states = in.encoder_hidden_states_1;
    if (len < longest) {
      states = tensor::pad(states, {0, 0, 0, longest - len});
      m = tensor::pad(m, {0, longest - len});
    }
    gpt2.push_back(in.encoder_hidden_states);
    t5.push_back(states);
    mask.push_back(m);
  }
  return {tensor::cat(gpt2, 0), tensor::cat(t5, 0), tensor::cat(mask, 0)};
}

}  // namespace

AudioLDM2Pipeline AudioLDM2Pipeline::load(const std::filesystem::path& model_dir, const tensor::Placement& placement,
                                          TextEncoders text_encoders) {
  tune_allocator_for_inference();
  AudioLDM2Pipeline p;
  if (text_encoders == TextEncoders::kLoad)
    p.conditioner_ = std::make_shared<const Conditioner>(Conditioner::load(model_dir, {}, placement));
  p.unet_ = AudioLDM2UNet2DConditionModel::load(model_dir / "unet", placement);
  p.vae_ = AutoencoderKLDecoder::load(model_dir / "vae", placement);
  p.vocoder_ = SpeechT5HifiGan::load(model_dir / "vocoder", placement);
  p.scheduler_config_ = SchedulerConfigFile::load(model_dir / "scheduler" / "scheduler_config.json");
  if (p.unet_.config().in_channels != p.vae_.config().latent_channels)
    throw Error(model_dir.string() + ": unet in_channels " + std::to_string(p.unet_.config().in_channels) +
                " != vae latent_channels " + std::to_string(p.vae_.config().latent_channels));
  return p;
}

AudioLength AudioLDM2Pipeline::audio_length(std::optional<double> duration_s) const {
  LengthModel m;
  m.hop_length = vocoder_.config().hop_length();
  m.sampling_rate = vocoder_.config().sampling_rate;
  m.vae_scale_factor = vae_.config().scale_factor();
  m.mel_bins = vocoder_.config().model_in_dim;
  m.unet_sample_size = unet_.config().sample_size;
  return compute_audio_length(duration_s, m);
}

std::string AudioLDM2Pipeline::batch_key(const GenerationParams& p) const {
  const AudioLength length = audio_length(p.duration_s);
  int64_t frames = length.latent_frames;
  if (p.initial_latents.defined() && p.initial_latents.dim() == 4) frames = p.initial_latents.size(2);
  return p.scheduler + "/" + std::to_string(p.steps) + "/T" + std::to_string(frames) + "/chunk" +
         std::to_string(p.vae_chunk_frames);
}

UNetInputs AudioLDM2Pipeline::encode_prompt(const GenerationParams& params) const {
  if (!conditioner_)
    throw Error("generation: this pipeline was loaded without its text encoders; give the cue its conditioning");
  Conditioning c = conditioner_->encode(params.prompt, params.negative_prompt, params.guidance > 1.0);
  return {c.encoder_hidden_states(), c.encoder_hidden_states_1(), c.encoder_attention_mask_1()};
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

Tensor guided_prediction(const Tensor& eps, int64_t row, double guidance) {
  Tensor uncond = eps.narrow(0, row, 1), cond = eps.narrow(0, row + 1, 1);
  return tensor::add(uncond, tensor::scale(tensor::sub(cond, uncond), guidance));
}

Tensor take_noise(const tensor::Shape& shape, uint64_t seed, int64_t take) {
  if (take < 0) throw Error("generation: take " + std::to_string(take) + " is negative");
  tensor::CpuGenerator generator(seed);
  if (take == 0) return tensor::randn(shape, generator);
  // diffusers draws the noise of all N waveforms in one randn of [N, C, T, F];
  // take i is its slice i. torch's kernel turns uniforms into normals 16 at a
  // time over the whole buffer, so slice i depends only on the first (i+1)
  // slices' draws as long as a slice holds a multiple of 16 values (every
  // AudioLDM 2 shape: C·T·F = 8·T·16): drawing takes 0..i alone gives the
  // same slice i whatever N is. Otherwise torch redraws the buffer's last 16
  // values and the last take would depend on N; foley keeps take i = slice i
  // of the (i+1)-take draw, stable when takes are added.
  tensor::Shape all = shape;
  all[0] = shape[0] * (take + 1);
  return tensor::randn(all, generator).narrow(0, take * shape[0], shape[0]).clone();
}

Tensor AudioLDM2Pipeline::prepare_latents(const GenerationParams& params, const AudioLength& length,
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
    latents = take_noise(shape, params.seed, params.take);
  }
  if (init_noise_sigma != 1.0) latents = tensor::scale(latents, init_noise_sigma);
  return latents;
}

Tensor AudioLDM2Pipeline::decode(const Tensor& latents, const GenerationParams& params, const AudioLength& length,
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

std::vector<CueOutcome> AudioLDM2Pipeline::generate(const std::vector<Cue>& cues) const {
  std::vector<CueOutcome> out(cues.size());
  std::vector<Lane> lanes(cues.size());

  // Cheap checks first: cues that cannot share a batch are the caller's
  // mistake, and nothing runs (not even the text encoders).
  std::string key;
  std::vector<bool> usable(cues.size(), false);
  for (size_t i = 0; i < cues.size(); ++i) {
    lanes[i].cue = &cues[i];
    std::string own;
    try {
      check_guidance(cues[i].params);
      if (cues[i].conditioning.encoder_hidden_states.defined()) check_conditioning(cues[i].params, cues[i].conditioning);
      own = batch_key(cues[i].params);
    } catch (...) {
      out[i].error = std::current_exception();  // this cue fails alone
      continue;
    }
    if (key.empty()) key = own;
    if (own != key)
      throw Error("batched generation: cue " + std::to_string(i) + " (" + own + ") cannot share a UNet batch with " +
                  key);
    usable[i] = true;
  }

  // Each cue's conditioning, scheduler and starting noise (from its own seed).
  for (size_t i = 0; i < cues.size(); ++i) {
    if (!usable[i]) continue;
    Lane& lane = lanes[i];
    const Cue& cue = cues[i];
    try {
      lane.inputs = cue.conditioning.encoder_hidden_states.defined() ? cue.conditioning : encode_prompt(cue.params);
      check_conditioning(cue.params, lane.inputs);
      lane.cfg = cue.params.guidance > 1.0;
      lane.length = audio_length(cue.params.duration_s);
      lane.scheduler = make_scheduler(cue.params.scheduler, scheduler_config_);
      lane.scheduler->set_timesteps(cue.params.steps);
      lane.latents = prepare_latents(cue.params, lane.length, lane.scheduler->init_noise_sigma());
      if (cue.trace) {
        cue.trace->timesteps = lane.scheduler->timesteps();
        cue.trace->sigmas = lane.scheduler->sigmas();
        cue.trace->latents_initial = lane.latents;
      }
      lane.active = true;
    } catch (...) {
      out[i].error = std::current_exception();
    }
  }
  const auto first = std::find_if(lanes.begin(), lanes.end(), [](const Lane& l) { return l.active; });
  if (first == lanes.end()) return out;

  // Every lane has the same timesteps (same scheduler kind, config and steps).
  const std::vector<int64_t> timesteps = first->scheduler->timesteps();
  UNetInputs inputs = batch_inputs(lanes);
  for (size_t i = 0; i < timesteps.size(); ++i) {
    const int64_t t = timesteps[i];
    std::vector<Tensor> x;
    for (const auto& lane : lanes) {
      if (!lane.active) continue;
      x.push_back(lane.latents);
      if (lane.cfg) x.push_back(lane.latents);
    }
    if (x.empty()) break;
    Tensor x_in = x.size() == 1 ? x[0] : tensor::cat(x, 0);
    Tensor eps_all = unet_.forward(x_in, static_cast<double>(t), inputs.encoder_hidden_states,
                                   inputs.encoder_hidden_states_1, inputs.encoder_attention_mask_1);
    bool dropped = false;
    int64_t row = 0;
    for (size_t m = 0; m < lanes.size(); ++m) {
      Lane& lane = lanes[m];
      if (!lane.active) continue;
      const GenerationParams& params = lane.cue->params;
      Tensor eps;
      if (lane.cfg) {
        eps = guided_prediction(eps_all, row, params.guidance);
      } else {
        eps = x.size() == 1 ? eps_all : eps_all.narrow(0, row, 1);
      }
      row += rows_of(lane);
      eps = eps.to(tensor::Device::cpu());  // the scheduler steps on the host
      if (lane.cue->trace && i == 0) lane.cue->trace->noise_pred_0 = eps;
      try {
        lane.latents = checked_scheduler_step(*lane.scheduler, eps, t, lane.latents, i, timesteps.size());
        if (lane.cue->progress) lane.cue->progress(static_cast<int64_t>(i) + 1, static_cast<int64_t>(timesteps.size()));
      } catch (...) {
        out[m].error = std::current_exception();
        lane.active = false;
        dropped = true;
      }
    }
    if (dropped) inputs = batch_inputs(lanes);
  }

  for (size_t m = 0; m < lanes.size(); ++m) {
    Lane& lane = lanes[m];
    if (!lane.active) continue;
    try {
      if (lane.cue->trace) lane.cue->trace->latents_final = lane.latents;
      out[m].waveform = decode(lane.latents, lane.cue->params, lane.length, lane.cue->trace);
    } catch (...) {
      out[m].error = std::current_exception();
    }
    lane.latents = Tensor();  // free as we go
  }
  return out;
}

Tensor AudioLDM2Pipeline::generate_one(Cue cue) const {
  std::vector<Cue> cues;
  cues.push_back(std::move(cue));
  CueOutcome outcome = std::move(generate(cues).front());
  if (outcome.error) std::rethrow_exception(outcome.error);
  return outcome.waveform;
}

}  // namespace foley::models
