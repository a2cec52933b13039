#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "models/audioldm2/conditioner.h"

namespace foley::models {

// The named tensors of a Conditioning, as `foley-gen dump` writes them:
// clap.input_ids, clap.attention_mask, clap.text_embeds, t5.input_ids,
// t5.attention_mask, t5.last_hidden_state, projection.hidden_states,
// projection.attention_mask, gpt2.generated (ids and masks as i64), and the
// same names with a ".neg" suffix for the unconditional branch. Stages that
// were not computed are left out.
std::map<std::string, tensor::Tensor> conditioning_tensors(const Conditioning& conditioning);

// `foley-gen dump`: loads the conditioning stack of `model_dir`, encodes
// `prompt` with classifier-free guidance (the unconditional branch uses
// `negative_prompt`, or "" when absent) and writes every stage to
// `out_safetensors` atomically. Throws foley::Error on bad input or model.
void dump_conditioning(const std::filesystem::path& model_dir, const std::string& prompt,
                       const std::optional<std::string>& negative_prompt,
                       const std::filesystem::path& out_safetensors);

}  // namespace foley::models
