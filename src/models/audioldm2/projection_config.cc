#include "models/audioldm2/projection_config.h"

#include "models/config_json.h"

namespace foley::models {

AudioLDM2ProjectionConfig AudioLDM2ProjectionConfig::load(const std::filesystem::path& config_json) {
  nlohmann::json j = read_json_object(config_json);
  ConfigReader r(j, config_json.string());
  AudioLDM2ProjectionConfig c;
  // No defaults in diffusers for the three dims: they are required.
  for (const char* key : {"text_encoder_dim", "text_encoder_1_dim", "langauge_model_dim"})
    if (!r.has(key)) r.fail(key, "required");
  c.text_encoder_dim = r.positive("text_encoder_dim", 0);
  c.text_encoder_1_dim = r.positive("text_encoder_1_dim", 0);
  c.langauge_model_dim = r.positive("langauge_model_dim", 0);
  c.use_learned_position_embedding = r.boolean("use_learned_position_embedding", false);
  c.max_seq_length = r.integer("max_seq_length", 0);
  if (c.use_learned_position_embedding)
    r.fail("use_learned_position_embedding", "the learned-position (TTS) variant is not implemented");
  return c;
}

int64_t AudioLDM2ProjectionConfig::parameter_count() const {
  const int64_t d = langauge_model_dim;
  return (text_encoder_dim * d + d) + (text_encoder_1_dim * d + d) + 4 * d;
}

}  // namespace foley::models
