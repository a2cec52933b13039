#include "models/audioldm2/pipeline/dump.h"

#include "common/error.h"
#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/safetensors.h"

namespace foley::models {

namespace {

void add_branch(const BranchConditioning& b, const std::string& suffix, std::map<std::string, tensor::Tensor>& out) {
  auto put = [&](const char* name, const tensor::Tensor& t) {
    if (t.defined()) out[name + suffix] = t;
  };
  put("clap.input_ids", b.clap_input_ids);
  put("clap.attention_mask", b.clap_attention_mask);
  put("clap.text_embeds", b.clap_text_embeds);
  put("t5.input_ids", b.t5_input_ids);
  put("t5.attention_mask", b.t5_attention_mask);
  put("t5.last_hidden_state", b.t5_last_hidden_state);
  put("projection.hidden_states", b.projection_hidden_states);
  put("projection.attention_mask", b.projection_attention_mask);
  put("gpt2.generated", b.gpt2_generated);
}

}  // namespace

std::map<std::string, tensor::Tensor> conditioning_tensors(const Conditioning& c) {
  std::map<std::string, tensor::Tensor> out;
  add_branch(c.cond, "", out);
  if (c.uncond) add_branch(*c.uncond, ".neg", out);
  return out;
}

void dump_conditioning(const std::filesystem::path& model_dir, const std::string& prompt,
                       const std::optional<std::string>& negative_prompt,
                       const std::filesystem::path& out_safetensors) {
  Conditioner conditioner = Conditioner::load(model_dir);
  Conditioning c = conditioner.encode(prompt, negative_prompt, /*do_cfg=*/true);
  std::map<std::string, std::string> metadata{{"model_dir", model_dir.string()}, {"prompt", prompt}};
  if (negative_prompt) metadata["negative_prompt"] = *negative_prompt;
  tensor::save_safetensors(out_safetensors, conditioning_tensors(c), metadata);
}

std::map<std::string, tensor::Tensor> generation_tensors(const GenerationTrace& t) {
  std::map<std::string, tensor::Tensor> out;
  auto put = [&](const char* name, const tensor::Tensor& v) {
    if (v.defined()) out[name] = v;
  };
  // Timesteps as int64 like the goldens' (diffusers keeps them int64), so
  // they compare exactly.
  if (!t.timesteps.empty()) put("scheduler.timesteps", tensor::Tensor::from_vector(t.timesteps));
  if (!t.sigmas.empty()) put("scheduler.sigmas", tensor::Tensor::from_vector(t.sigmas));
  put("latents.initial", t.latents_initial);
  put("unet.noise_pred.0", t.noise_pred_0);
  put("latents.final", t.latents_final);
  put("vae.mel", t.mel);
  put("waveform", t.waveform);
  return out;
}

void dump_generation(const std::filesystem::path& model_dir, const GenerationParams& params,
                     const std::filesystem::path& out_safetensors) {
  AudioLDM2Pipeline pipeline = AudioLDM2Pipeline::load(model_dir);
  GenerationTrace trace;
  pipeline.generate_one({params, {}, {}, &trace});
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

tensor::Tensor load_initial_latents(const std::filesystem::path& path) {
  auto file = tensor::SafetensorsFile::open(path);
  if (file.contains("latents.initial")) return file.get("latents.initial").clone();
  auto names = file.names();
  if (names.size() != 1)
    throw Error(path.string() + ": expected a tensor named latents.initial or exactly one tensor, found " +
                std::to_string(names.size()));
  return file.get(names.front()).clone();
}

}  // namespace foley::models
