#pragma once

#include <cstdint>
#include <filesystem>

namespace foley::models {

// diffusers' AudioLDM2ProjectionModel config (projection_model/config.json).
// The key "langauge_model_dim" is misspelt in diffusers and in the files.
struct AudioLDM2ProjectionConfig {
  int64_t text_encoder_dim = 512;     // CLAP text_embeds
  int64_t text_encoder_1_dim = 1024;  // T5 d_model
  int64_t langauge_model_dim = 768;   // GPT-2 n_embd
  // The VITS (TTS) variant adds learned positions; not in the cvssp checkpoints.
  bool use_learned_position_embedding = false;
  int64_t max_seq_length = 0;

  // Reads the file; throws foley::Error naming the file and key (the
  // learned-position variant is refused as unsupported).
  static AudioLDM2ProjectionConfig load(const std::filesystem::path& config_json);

  // projection, projection_1 and the four SOS/EOS vectors.
  int64_t parameter_count() const;
};

}  // namespace foley::models
