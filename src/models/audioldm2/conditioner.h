#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "models/clap/clap_text_model.h"
#include "models/gpt2/gpt2_model.h"
#include "models/audioldm2/projection_model.h"
#include "models/t5/t5_encoder.h"
#include "models/tokenizers/bpe_tokenizer.h"
#include "models/tokenizers/t5_tokenizer.h"

namespace foley::models {

// Which parts of the conditioning stack to load. Tokenizers are always
// loaded; encode() runs every stage whose model is loaded, in order, and
// stops at the first one that is not (its outputs stay undefined).
struct ConditionerParts {
  bool clap = true;        // text_encoder/
  bool t5 = true;          // text_encoder_2/
  bool projection = true;  // projection_model/
  bool gpt2 = true;        // language_model/

  static ConditionerParts tokenizers_only() { return {false, false, false, false}; }
};

// Every intermediate of one branch (the prompt, or the negative / empty
// prompt) of diffusers' AudioLDM2Pipeline.encode_prompt, batch size 1. Ids and
// masks are on the CPU, the f32 states on the Conditioner's device.
struct BranchConditioning {
  tensor::Tensor clap_input_ids;            // i64 [1, model_max_length (512)]
  tensor::Tensor clap_attention_mask;       // i64 [1, 512]
  tensor::Tensor clap_text_embeds;          // f32 [1, projection_dim], unit norm
  tensor::Tensor t5_input_ids;              // i64 [1, L]
  tensor::Tensor t5_attention_mask;         // i64 [1, L]
  tensor::Tensor t5_last_hidden_state;      // f32 [1, L, d_model]
  tensor::Tensor projection_hidden_states;  // f32 [1, L + 5, n_embd]
  tensor::Tensor projection_attention_mask; // i64 [1, L + 5]
  tensor::Tensor gpt2_generated;            // f32 [1, max_new_tokens, n_embd]
};

// What the UNet consumes, for both branches.
struct Conditioning {
  BranchConditioning cond;
  std::optional<BranchConditioning> uncond;  // present when classifier-free guidance is on

  // The UNet's inputs, batched [uncond; cond] under CFG, else cond alone:
  // encoder_hidden_states = GPT-2 vectors [B, 8, n_embd] (no mask),
  // encoder_hidden_states_1 = T5 states [B, L, d_model] with its mask [B, L].
  tensor::Tensor encoder_hidden_states() const;
  tensor::Tensor encoder_hidden_states_1() const;
  tensor::Tensor encoder_attention_mask_1() const;
};

// The text-conditioning half of AudioLDM 2 for one model folder (diffusers
// layout): CLAP text + Flan-T5 → projection → GPT-2 generation.
class Conditioner {
 public:
  // Loads the tokenizers and the requested models from `model_dir`, using the
  // component folders model_index.json names. Throws foley::Error naming the
  // folder, file or tensor on anything missing or inconsistent (e.g. a
  // projection config whose widths do not match the encoders). The models'
  // weights go to `placement`; tokenizers stay on the host.
  static Conditioner load(const std::filesystem::path& model_dir, const ConditionerParts& parts = {},
                          const tensor::Placement& placement = {});

  // encode_prompt for one prompt: with do_cfg the unconditional branch uses
  // `negative_prompt`, or "" when none is given; its T5 ids are padded or
  // truncated to the prompt's T5 length. Without do_cfg a negative prompt is
  // ignored, as in diffusers.
  Conditioning encode(const std::string& prompt, const std::optional<std::string>& negative_prompt, bool do_cfg) const;

  const BpeTokenizer& clap_tokenizer() const { return *clap_tokenizer_; }
  const T5Tokenizer& t5_tokenizer() const { return *t5_tokenizer_; }
  const std::filesystem::path& model_dir() const { return model_dir_; }
  // Where the encoders run: the f32 conditioning tensors live here; ids and
  // masks stay on the CPU.
  tensor::Device device() const { return device_; }

 private:
  // Runs one branch; t5_length = 0 for the prompt (its natural length), the
  // prompt's T5 length for the negative branch.
  BranchConditioning encode_branch(const std::string& text, size_t t5_length) const;

  std::filesystem::path model_dir_;
  tensor::Device device_;
  std::shared_ptr<BpeTokenizer> clap_tokenizer_;
  std::shared_ptr<T5Tokenizer> t5_tokenizer_;
  std::shared_ptr<ClapTextModel> clap_;
  std::shared_ptr<T5Encoder> t5_;
  std::shared_ptr<AudioLDM2ProjectionModel> projection_;
  std::shared_ptr<GPT2Model> gpt2_;
};

}  // namespace foley::models
