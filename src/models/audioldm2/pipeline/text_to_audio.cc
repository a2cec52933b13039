#include "models/audioldm2/pipeline/text_to_audio.h"

#include "common/error.h"
#include "tensor/safetensors.h"

namespace foley::models {

using tensor::Tensor;

TextToAudio TextToAudio::load(const std::filesystem::path& model_dir, const tensor::Placement& placement) {
  TextToAudio t;
  t.conditioner_ = std::make_shared<Conditioner>(Conditioner::load(model_dir, {}, placement));
  t.generation_ = std::make_shared<GenerationPipeline>(GenerationPipeline::load(model_dir, placement));
  return t;
}

UNetInputs unet_inputs(const Conditioning& c) {
  UNetInputs in;
  in.encoder_hidden_states = c.encoder_hidden_states();
  in.encoder_hidden_states_1 = c.encoder_hidden_states_1();
  in.encoder_attention_mask_1 = c.encoder_attention_mask_1();
  return in;
}

Tensor TextToAudio::generate(const GenerationParams& params, GenerationTrace* trace,
                             const StepProgress& progress) const {
  const bool cfg = params.guidance > 1.0;
  Conditioning c = conditioner_->encode(params.prompt, params.negative_prompt, cfg);
  return generation_->generate(params, unet_inputs(c), trace, progress);
}

std::vector<BatchOutcome> TextToAudio::generate_batch(const std::vector<GenerationParams>& params,
                                                     const std::vector<StepProgress>& progress) const {
  std::vector<BatchOutcome> out(params.size());
  std::vector<BatchMember> members;
  std::vector<size_t> index;  // members[j] is params[index[j]]
  for (size_t i = 0; i < params.size(); ++i) {
    try {
      BatchMember m;
      m.params = params[i];
      m.inputs = unet_inputs(conditioner_->encode(params[i].prompt, params[i].negative_prompt, params[i].guidance > 1.0));
      if (i < progress.size()) m.progress = progress[i];
      members.push_back(std::move(m));
      index.push_back(i);
    } catch (...) {
      out[i].error = std::current_exception();
    }
  }
  std::vector<BatchOutcome> ran = models::generate_batch(*generation_, members);
  for (size_t j = 0; j < ran.size(); ++j) out[index[j]] = std::move(ran[j]);
  return out;
}

std::map<std::string, Tensor> generation_tensors(const GenerationTrace& t) {
  std::map<std::string, Tensor> out;
  auto put = [&](const char* name, const Tensor& v) {
    if (v.defined()) out[name] = v;
  };
  // Timesteps as int64 like the goldens' (diffusers keeps them int64), so
  // they compare exactly.
  if (!t.timesteps.empty()) put("scheduler.timesteps", Tensor::from_vector(t.timesteps));
  if (!t.sigmas.empty()) put("scheduler.sigmas", Tensor::from_vector(t.sigmas));
  put("latents.initial", t.latents_initial);
  put("unet.noise_pred.0", t.noise_pred_0);
  put("latents.final", t.latents_final);
  put("vae.mel", t.mel);
  put("waveform", t.waveform);
  return out;
}

void dump_generation(const std::filesystem::path& model_dir, const GenerationParams& params,
                     const std::filesystem::path& out_safetensors) {
  TextToAudio pipeline = TextToAudio::load(model_dir);
  GenerationTrace trace;
  pipeline.generate(params, &trace);
  std::map<std::string, std::string> metadata{
      {"prompt", params.prompt},
      {"negative_prompt", params.negative_prompt.value_or("")},
      {"seed", std::to_string(params.seed)},
      {"steps", std::to_string(params.steps)},
      {"guidance", std::to_string(params.guidance)},
      {"scheduler", params.scheduler},
  };
  tensor::save_safetensors(out_safetensors, generation_tensors(trace), metadata);
}

Tensor load_initial_latents(const std::filesystem::path& path) {
  auto file = tensor::SafetensorsFile::open(path);
  if (file.contains("latents.initial")) return file.get("latents.initial").clone();
  auto names = file.names();
  if (names.size() != 1)
    throw Error(path.string() + ": expected a tensor named latents.initial or exactly one tensor, found " +
                std::to_string(names.size()));
  return file.get(names.front()).clone();
}

}  // namespace foley::models
