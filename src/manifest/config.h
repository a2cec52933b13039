#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/source_location.h"
#include "request/remote_config.h"

namespace foley::manifest {

// How a cue is turned into a delivered file ([render] in foley.toml, and the
// per-cue overrides). None of these enter the gen key; all enter the render key.
struct RenderSettings {
  int sample_rate = 48000;            // Hz, 8000..192000
  int bit_depth = 24;                 // 16, 24, or 32 (float)
  std::string format = "wav";         // "wav" | "flac" | "mp3" | "ogg" | "opus" (audio/delivery_formats.h)
  std::optional<int> bitrate;         // kbps, mp3 and opus; none = the format's default
  std::optional<double> quality;      // 0..10, ogg (Vorbis); none = the format's default
  std::optional<int> channels;        // 1, 2 or 0 ("source": the input's layout); none = by cue type
                                      // (source cues keep their layout, others are mono)
  std::optional<double> loudness;     // LUFS target on loudness_measure, -70..0; none = leave level alone
  std::optional<std::string> loudness_preset;  // the preset `loudness` named, if any (loudness_presets.h)
  std::string loudness_measure = "integrated";  // "integrated" | "momentary-max" | "short-term-max"
  double true_peak = -1.0;            // dBTP ceiling of the limiter, -20..0
  std::optional<double> highpass;     // Hz, the DC guard; none = by cue type (20 Hz for generated
                                      // cues, off for others); 0 = off
  double gain_db = 0.0;               // applied before loudness normalisation
  double fade_in = 0.0;               // seconds
  double fade_out = 0.0;              // seconds
  // How the delivered file is named: "cue" (<cue>.<format>) or "ucs"
  // (CatID_FXName_CreatorID_SourceID.<format>, plan/delivery_names.h).
  std::string naming = "cue";
  std::optional<std::string> creator_id;  // UCS CreatorID; none = "foley"
  std::optional<std::string> source_id;   // UCS SourceID; none = the project's name
};

// [engines.<name>] in foley.toml: a named engine with its settings.
struct EngineProfile {
  std::string name;                   // the table name, referenced by cues' `engine`
  std::string engine;                 // "exec" | "elevenlabs" | "audioldm2"
  nlohmann::json settings;            // every other key of the table, as JSON (validated per engine)
  std::optional<int> concurrency;     // explicit ninja pool depth for this profile
  std::optional<int> takes;           // the takes of its cues that set none
  SourceLocation where;
  // Why this machine cannot run the profile (its model folder is absent), as
  // `file:line:col: field "…": message`; empty when it can. Its cues fail at
  // build time with this message; the rest of the project builds.
  std::string unavailable;
};

// [farm] in foley.toml: generate edges run on a batch scheduler's nodes, each
// behind a launcher prefix (docs/farm.md). plan/farm.h resolves it with the
// environment (FOLEY_FARM*, Slurm's allocation variables).
struct FarmConfig {
  std::vector<std::string> launcher;  // argv prefix of a farmed generate edge; empty: from the environment
  std::optional<int> slots;           // edges at once (the `farm` pool); unset: the allocation's GPUs
  std::vector<std::string> profiles;  // profiles sent to the farm; empty: every unpaid one
  SourceLocation where;
};

// foley.toml, resolved: every path absolute.
struct ProjectConfig {
  std::filesystem::path root;         // directory holding foley.toml
  std::filesystem::path config_path;  // root / "foley.toml"
  std::string name;
  // Who the project is in a shared cache's cue histories: name#id
  // (plan/project_identity.h), set when the project is loaded for a command.
  // Empty when configs are made by hand: histories then go by the name.
  std::string history_id;
  const std::string& history() const { return history_id.empty() ? name : history_id; }
  std::filesystem::path cache_dir;    // default root/cache
  std::filesystem::path output_dir;   // default root/out
  std::filesystem::path manifest_dir; // default root/manifests
  std::string default_engine;         // profile used by cues that name none
  std::map<std::string, EngineProfile> engines;
  RenderSettings render;
  // Depth of the `gpu` pool (local model engines). Unset: plan::pool_depths
  // derives it from the local-model profiles' pools (their `max_batch`).
  std::optional<int> gpu_slots;
  // [cache.remote]: the team cache as foley.toml sets it (the user's config
  // file and the environment may change it: cli/project_context).
  std::optional<RemoteConfig> remote;
  std::optional<FarmConfig> farm;     // [farm], when written
};

}  // namespace foley::manifest
