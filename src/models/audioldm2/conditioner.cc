#include "models/audioldm2/conditioner.h"

#include "common/error.h"
#include "models/audioldm2/pipeline/model_index.h"
#include "tensor/ops.h"

namespace foley::models {

using tensor::DType;
using tensor::Tensor;

namespace {

Tensor ids_tensor(const std::vector<int64_t>& v) {
  return Tensor::from_vector(v, {1, static_cast<int64_t>(v.size())});
}

// The folder of `component`, checked against model_index.json when the index
// lists it (a folder without an index entry is still accepted).
std::filesystem::path component_dir(const std::filesystem::path& model_dir, const ModelIndex& index,
                                    const std::string& component, std::initializer_list<const char*> classes) {
  auto dir = model_dir / component;
  if (index.has(component)) {
    const std::string& cls = index.components.at(component).class_name;
    bool known = false;
    for (const char* c : classes) known = known || cls == c;
    if (!known) {
      std::string expected;
      for (const char* c : classes) expected += std::string(expected.empty() ? "" : " or ") + c;
      throw Error((model_dir / "model_index.json").string() + ": component " + component + " is " + cls + ", expected " +
                  expected);
    }
  }
  if (!std::filesystem::is_directory(dir))
    throw Error(dir.string() + ": missing component folder (" + component + ")");
  return dir;
}

Tensor batch_pair(const Conditioning& c, Tensor BranchConditioning::*field) {
  const Tensor& cond = c.cond.*field;
  if (!cond.defined()) throw Error("conditioning: this stage was not computed (its model is not loaded)");
  if (!c.uncond) return cond;
  return tensor::cat({(*c.uncond).*field, cond}, 0);
}

}  // namespace

Tensor Conditioning::encoder_hidden_states() const { return batch_pair(*this, &BranchConditioning::gpt2_generated); }
Tensor Conditioning::encoder_hidden_states_1() const {
  return batch_pair(*this, &BranchConditioning::t5_last_hidden_state);
}
Tensor Conditioning::encoder_attention_mask_1() const {
  return batch_pair(*this, &BranchConditioning::t5_attention_mask);
}

Conditioner Conditioner::load(const std::filesystem::path& model_dir, const ConditionerParts& parts,
                              const tensor::Placement& placement) {
  ModelIndex index = ModelIndex::load(model_dir);
  Conditioner c;
  c.model_dir_ = model_dir;
  c.device_ = placement.device;
  c.clap_tokenizer_ = std::make_shared<BpeTokenizer>(BpeTokenizer::load(
      component_dir(model_dir, index, "tokenizer", {"RobertaTokenizer", "RobertaTokenizerFast"})));
  c.t5_tokenizer_ = std::make_shared<T5Tokenizer>(
      T5Tokenizer::load(component_dir(model_dir, index, "tokenizer_2", {"T5Tokenizer", "T5TokenizerFast"})));

  std::optional<ClapTextConfig> clap_config;
  std::optional<T5Config> t5_config;
  std::optional<GPT2Config> gpt2_config;
  if (parts.clap) {
    auto dir = component_dir(model_dir, index, "text_encoder", {"ClapModel", "ClapTextModelWithProjection"});
    clap_config = ClapTextConfig::load(dir / "config.json");
    c.clap_ = std::make_shared<ClapTextModel>(ClapTextModel::load(*clap_config, tensor::WeightMap::load_dir(dir, placement)));
  }
  if (parts.t5) {
    auto dir = component_dir(model_dir, index, "text_encoder_2", {"T5EncoderModel"});
    t5_config = T5Config::load(dir / "config.json");
    c.t5_ = std::make_shared<T5Encoder>(T5Encoder::load(*t5_config, tensor::WeightMap::load_dir(dir, placement)));
  }
  if (parts.gpt2) {
    auto dir = component_dir(model_dir, index, "language_model", {"GPT2Model", "GPT2LMHeadModel"});
    gpt2_config = GPT2Config::load(dir / "config.json");
    auto weights = tensor::WeightMap::load_dir(dir, placement);
    // GPT2LMHeadModel files prefix the body with "transformer.".
    std::string prefix = weights.contains("transformer.wpe.weight") ? "transformer." : "";
    c.gpt2_ = std::make_shared<GPT2Model>(GPT2Model::load(*gpt2_config, weights, prefix));
  }
  if (parts.projection) {
    auto dir = component_dir(model_dir, index, "projection_model", {"AudioLDM2ProjectionModel"});
    auto config = AudioLDM2ProjectionConfig::load(dir / "config.json");
    auto where = (dir / "config.json").string();
    if (clap_config && config.text_encoder_dim != clap_config->projection_dim)
      throw Error(where + ": text_encoder_dim " + std::to_string(config.text_encoder_dim) +
                  " does not match the CLAP projection_dim " + std::to_string(clap_config->projection_dim));
    if (t5_config && config.text_encoder_1_dim != t5_config->d_model)
      throw Error(where + ": text_encoder_1_dim " + std::to_string(config.text_encoder_1_dim) +
                  " does not match the T5 d_model " + std::to_string(t5_config->d_model));
    if (gpt2_config && config.langauge_model_dim != gpt2_config->n_embd)
      throw Error(where + ": langauge_model_dim " + std::to_string(config.langauge_model_dim) +
                  " does not match the GPT-2 n_embd " + std::to_string(gpt2_config->n_embd));
    c.projection_ = std::make_shared<AudioLDM2ProjectionModel>(
        AudioLDM2ProjectionModel::load(config, tensor::WeightMap::load_dir(dir, placement)));
  }
  return c;
}

BranchConditioning Conditioner::encode_branch(const std::string& text, size_t t5_length) const {
  BranchConditioning b;
  TokenizedText clap_tokens = clap_tokenizer_->encode_for_clap(text);
  b.clap_input_ids = ids_tensor(clap_tokens.input_ids);
  b.clap_attention_mask = ids_tensor(clap_tokens.attention_mask);
  TokenizedText t5_tokens =
      t5_length == 0 ? t5_tokenizer_->encode_prompt(text) : t5_tokenizer_->encode_negative(text, t5_length);
  b.t5_input_ids = ids_tensor(t5_tokens.input_ids);
  b.t5_attention_mask = ids_tensor(t5_tokens.attention_mask);

  if (clap_) b.clap_text_embeds = clap_->get_text_features(b.clap_input_ids, b.clap_attention_mask);
  if (t5_) b.t5_last_hidden_state = t5_->forward(b.t5_input_ids, b.t5_attention_mask);
  if (!clap_ || !t5_ || !projection_) return b;
  // The pipeline feeds CLAP as a one-token sequence with mask ones.
  Tensor clap_seq = b.clap_text_embeds.unsqueeze(1);
  Tensor clap_mask = Tensor::full({1, 1}, 1.0, DType::kI64);
  ProjectionOutput p = projection_->forward(clap_seq, clap_mask, b.t5_last_hidden_state, b.t5_attention_mask);
  b.projection_hidden_states = p.hidden_states;
  b.projection_attention_mask = p.attention_mask;
  if (!gpt2_) return b;
  b.gpt2_generated = gpt2_->generate(p.hidden_states, p.attention_mask, gpt2_->config().max_new_tokens);
  return b;
}

Conditioning Conditioner::encode(const std::string& prompt, const std::optional<std::string>& negative_prompt,
                                 bool do_cfg) const {
  Conditioning c;
  c.cond = encode_branch(prompt, 0);
  if (do_cfg) c.uncond = encode_branch(negative_prompt.value_or(""), c.cond.t5_input_ids.size(1));
  return c;
}

}  // namespace foley::models
