#include "models/t5/t5_config.h"

#include "models/config_json.h"

namespace foley::models {

T5Config T5Config::load(const std::filesystem::path& config_json) {
  nlohmann::json j = read_json_object(config_json);
  ConfigReader r(j, config_json.string());
  T5Config c;
  c.vocab_size = r.positive("vocab_size", c.vocab_size);
  c.d_model = r.positive("d_model", c.d_model);
  c.d_kv = r.positive("d_kv", c.d_kv);
  c.d_ff = r.positive("d_ff", c.d_ff);
  c.num_layers = r.positive("num_layers", c.num_layers);
  c.num_heads = r.positive("num_heads", c.num_heads);
  c.relative_attention_num_buckets = r.positive("relative_attention_num_buckets", c.relative_attention_num_buckets);
  c.relative_attention_max_distance = r.positive("relative_attention_max_distance", c.relative_attention_max_distance);
  c.layer_norm_epsilon = r.number("layer_norm_epsilon", c.layer_norm_epsilon);

  // T5Config.__init__: "gated-gelu" → is_gated_act, act "gelu_new" (a
  // special case kept for backwards compatibility); "gated-X" → X; "X" → X.
  std::string proj = r.string("feed_forward_proj", "relu");
  std::string act = proj;
  if (proj.rfind("gated-", 0) == 0) {
    c.is_gated_act = true;
    act = proj.substr(6);
  }
  if (proj == "gated-gelu") act = "gelu_new";
  if (!parse_activation(act, &c.dense_act_fn)) r.fail("feed_forward_proj", "unsupported activation \"" + act + "\"");
  if (c.relative_attention_num_buckets < 4)
    r.fail("relative_attention_num_buckets", "needs at least 4 buckets (2 directions x exact + log ranges)");
  return c;
}

int64_t T5Config::parameter_count() const {
  const int64_t d = d_model, inner = inner_dim();
  int64_t attention = 4 * d * inner;  // q, k, v, o without biases
  int64_t ffn = (is_gated_act ? 2 : 1) * d * d_ff + d_ff * d;
  int64_t block = attention + ffn + 2 * d;  // two RMSNorm weights
  int64_t relative_bias = relative_attention_num_buckets * num_heads;  // block 0 only
  return vocab_size * d + num_layers * block + relative_bias + d;
}

}  // namespace foley::models
