#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley {

// The contract between `foley plan` and `foley-gen`: one JSON spec per gen key,
// an entry of a pack in .foley/requests (request/spec_pack.h). It never holds a secret: API keys are read by
// the engine from the environment or a key file named in `settings`.
struct GenRequest {
  static constexpr int kSpecVersion = 1;

  std::string gen_key;                // 32 hex chars; recomputed from key_fields by foley-gen
  std::string engine;                 // "exec" | "elevenlabs" | "audioldm2"
  std::string profile;                // profile name in foley.toml (not part of the key)
  nlohmann::json key_fields;          // object: every field that entered the gen key, canonical values
  nlohmann::json settings;            // object: profile settings that do not change the audio
  std::string ext;                    // extension of the raw object ("wav", "mp3", ...)
  std::filesystem::path cache_dir;    // absolute
  std::filesystem::path object_path;  // absolute: cache_dir/objects/<k[0:2]>/<gen_key>.<ext>
  std::vector<std::string> cues;      // qualified ids of the cues using it (for messages and the index)

  nlohmann::json to_json() const;
  // to_json().dump() + "\n", byte for byte, without copying the JSON trees
  // (what `foley plan` writes, once per generation).
  std::string spec_text() const;
  // Throws foley::Error naming `origin` (the spec's path) on a malformed spec.
  static GenRequest from_json(const nlohmann::json& j, const std::string& origin);
};

// "ep1:door, ep1:door2": the cues of a generation as a person reads them.
std::string cue_names(const std::vector<std::string>& cues);

// Where a cache keeps the raw object of a gen key:
// <cache_dir>/objects/<k[0:2]>/<gen_key>.<ext> (the object path *is* the key).
std::filesystem::path cache_object_path(const std::filesystem::path& cache_dir, const std::string& gen_key,
                                        const std::string& ext);

// One render edge: raw object (or source file, or nothing for silence) to the
// delivered file; an entry "<render_key>:<cue>" of a pack in .foley/renders.
struct RenderRequest {
  static constexpr int kSpecVersion = 1;

  std::string render_key;
  std::string gen_key;                // empty for silence / source cues
  std::string cue;                    // qualified id
  std::string type;                   // "generated" | "silence" | "source"
  std::filesystem::path input_path;   // object or source file; empty for silence
  std::filesystem::path output_path;  // out/<manifest>/<cue>.<fmt>
  std::filesystem::path cache_dir;
  std::string project;                // the project's name (delivery metadata)
  std::string project_id;             // its cue histories' owner (ProjectConfig::history_id)
  nlohmann::json render;              // sample_rate, bit_depth, format, channels, loudness, gain_db, fade_in, fade_out, clip
  nlohmann::json provenance;          // prompt, engine, profile, seed, gen_key, render_key, category, tags
  // A cue whose best take is chosen at build time: the ranking its rank edge
  // wrote (request/rank_request.h); gen_key and input_path are then empty and
  // come from the ranking's best take. Empty otherwise.
  std::filesystem::path ranking;
  // >= 0: one take rendered for `--all-takes` (out/<manifest>/<cue>.<n>.<fmt>),
  // not the cue's delivered file: it leaves the cue's history alone.
  int take = -1;

  nlohmann::json to_json() const;
  // to_json().dump() + "\n", byte for byte, without copying the JSON trees.
  std::string spec_text() const;
  static RenderRequest from_json(const nlohmann::json& j, const std::string& origin);
};

}  // namespace foley
