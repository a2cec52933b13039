#include "models/clap/clap_text_config.h"

#include "models/config_json.h"

namespace foley::models {

ClapTextConfig ClapTextConfig::load(const std::filesystem::path& config_json) {
  nlohmann::json root = read_json_object(config_json);
  ConfigReader top(root, config_json.string());
  // A ClapModel config nests the text model; a ClapTextModel config is flat.
  const nlohmann::json& text = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
  ConfigReader r(text, config_json.string() + (&text == &root ? "" : " text_config"));

  ClapTextConfig c;
  c.vocab_size = r.positive("vocab_size", c.vocab_size);
  c.hidden_size = r.positive("hidden_size", c.hidden_size);
  c.num_hidden_layers = r.positive("num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = r.positive("num_attention_heads", c.num_attention_heads);
  c.intermediate_size = r.positive("intermediate_size", c.intermediate_size);
  c.max_position_embeddings = r.positive("max_position_embeddings", c.max_position_embeddings);
  c.type_vocab_size = r.positive("type_vocab_size", c.type_vocab_size);
  c.layer_norm_eps = r.number("layer_norm_eps", c.layer_norm_eps);
  c.pad_token_id = r.integer("pad_token_id", c.pad_token_id);
  // ClapConfig.__init__ copies its own projection_dim and projection_hidden_act
  // (defaults 512, "relu") into text_config: in a ClapModel config they win.
  const bool composite = &text != &root;
  const ConfigReader& projection = composite ? top : r;
  c.projection_dim = projection.positive("projection_dim", 512);
  if (c.hidden_size % c.num_attention_heads != 0)
    r.fail("num_attention_heads", "must divide hidden_size " + std::to_string(c.hidden_size));
  if (c.pad_token_id < 0 || c.pad_token_id >= c.max_position_embeddings)
    r.fail("pad_token_id", "must be a valid position index (RoBERTa positions start after it)");
  if (!parse_activation(r.string("hidden_act", "gelu"), &c.hidden_act)) r.fail("hidden_act", "unsupported activation");
  if (!parse_activation(projection.string("projection_hidden_act", "relu"), &c.projection_hidden_act))
    projection.fail("projection_hidden_act", "unsupported activation");
  if (r.string("position_embedding_type", "absolute") != "absolute")
    r.fail("position_embedding_type", "only \"absolute\" is implemented");
  return c;
}

int64_t ClapTextConfig::parameter_count() const {
  const int64_t h = hidden_size, f = intermediate_size;
  int64_t embeddings = (vocab_size + max_position_embeddings + type_vocab_size) * h + 2 * h;
  int64_t layer = 4 * (h * h + h)      // query, key, value, attention output dense
                  + 2 * h              // attention output LayerNorm
                  + (h * f + f)        // intermediate
                  + (f * h + h)        // output dense
                  + 2 * h;             // output LayerNorm
  int64_t pooler = h * h + h;
  int64_t projection = (h * projection_dim + projection_dim) + (projection_dim * projection_dim + projection_dim);
  return embeddings + num_hidden_layers * layer + pooler + projection;
}

}  // namespace foley::models
