#include "models/audioldm2/pipeline/dump.h"

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

}  // namespace foley::models
