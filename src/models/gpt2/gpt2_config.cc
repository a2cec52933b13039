#include "models/gpt2/gpt2_config.h"

#include "models/config_json.h"

namespace foley::models {

GPT2Config GPT2Config::load(const std::filesystem::path& config_json) {
  nlohmann::json j = read_json_object(config_json);
  ConfigReader r(j, config_json.string());
  GPT2Config c;
  c.vocab_size = r.positive("vocab_size", c.vocab_size);
  c.n_positions = r.positive("n_positions", c.n_positions);
  c.n_embd = r.positive("n_embd", c.n_embd);
  c.n_layer = r.positive("n_layer", c.n_layer);
  c.n_head = r.positive("n_head", c.n_head);
  c.n_inner = r.has("n_inner") ? r.positive("n_inner", 0) : 0;
  c.layer_norm_epsilon = r.number("layer_norm_epsilon", c.layer_norm_epsilon);
  c.scale_attn_weights = r.boolean("scale_attn_weights", c.scale_attn_weights);
  c.scale_attn_by_inverse_layer_idx = r.boolean("scale_attn_by_inverse_layer_idx", c.scale_attn_by_inverse_layer_idx);
  c.reorder_and_upcast_attn = r.boolean("reorder_and_upcast_attn", c.reorder_and_upcast_attn);
  c.max_new_tokens = r.positive("max_new_tokens", c.max_new_tokens);
  if (!parse_activation(r.string("activation_function", "gelu_new"), &c.activation_function))
    r.fail("activation_function", "unsupported activation");
  if (c.n_embd % c.n_head != 0) r.fail("n_head", "must divide n_embd " + std::to_string(c.n_embd));
  return c;
}

int64_t GPT2Config::parameter_count() const {
  const int64_t d = n_embd, f = inner_dim();
  int64_t block = 2 * (2 * d)            // ln_1, ln_2
                  + (d * 3 * d + 3 * d)  // c_attn
                  + (d * d + d)          // attn.c_proj
                  + (d * f + f)          // c_fc
                  + (f * d + d);         // mlp.c_proj
  return vocab_size * d + n_positions * d + n_layer * block + 2 * d;
}

}  // namespace foley::models
