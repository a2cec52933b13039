#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include <nlohmann/json.hpp>

// The engine catalog: one row per engine, holding everything the rest of the
// house asks about an engine — its settings (types, ranges, defaults), the
// lengths it generates, the fields of its gen key and its object's extension,
// its ninja pool, whether its results are paid, whether its edges go through
// the resident server, its credit estimate. The manifest validator, the
// planner and the CLI read these rows and never compare engine names.
// Adding an engine is a folder under engines/ and a row (builtin_rows.cc).
//
// This header and its library (foley_catalog) need only common: plan and
// manifest link it without any engine's implementation.
namespace foley::engines {

enum class SettingType { kString, kBool, kInteger, kNumber, kStringArray };

// Checks a setting whose value already has the right type: returns "" or the
// problem ("must be ≥ 0, got -1"). May rewrite the value: relative paths are
// made absolute against `root` (the project root).
using SettingCheck = std::function<std::string(nlohmann::json& value, const std::filesystem::path& root)>;

struct SettingSpec {
  SettingSpec() = default;
  SettingSpec(std::string name_, SettingType type_, nlohmann::json fallback_ = nullptr, bool required_ = false,
              SettingCheck check_ = {}, SettingCheck availability_ = {})
      : name(std::move(name_)), type(type_), fallback(std::move(fallback_)), required(required_),
        check(std::move(check_)), availability(std::move(availability_)) {}

  std::string name;
  SettingType type = SettingType::kString;
  nlohmann::json fallback;  // filled in when absent; null: no default
  bool required = false;
  SettingCheck check;       // empty: any value of the type
  // A problem of this machine, not of the manifest (a model folder not
  // downloaded yet): checked on a copy of the value as written. The plan goes
  // on; the profile's cues fail at build time with this message and the rest
  // of the project builds.
  SettingCheck availability;
};

// The generation lengths a profile accepts, in seconds.
struct DurationRule {
  double min = 0.0;
  bool min_inclusive = false;
  double max = 0.0;       // inclusive
  bool required = false;  // false: absent means "the engine picks"

  bool accepts(double seconds) const;
  // "0.5 ≤ duration ≤ 30 s" style text for messages.
  std::string describe() const;
};

// A cue as an engine's key sees it (the manifest's Cue without manifest/).
struct CueInputs {
  std::string id;                              // the cue's id within its manifest
  std::string prompt;                          // as written (KeyContext normalises)
  std::optional<std::string> negative_prompt;  // as written
  std::optional<double> duration;              // absent: the engine picks
  std::optional<long long> seed;
  std::optional<double> prompt_influence;
  bool loop = false;
  int sample_rate = 0;                         // the delivered file's rate
};

// A profile ([engines.<name>] of foley.toml) once validated: every default
// filled in, paths absolute.
struct ProfileView {
  std::string name;
  const nlohmann::json& settings;
  std::optional<int> concurrency;  // the profile's own `concurrency`, when written
};

// What the planner needs from the outside world to key a cue.
struct KeyContext {
  // Prompt normalisation (NFC, collapsed whitespace), as plan/text_normalize.
  std::function<std::string(const std::string&)> normalize_prompt;
  // A fingerprint of every file in a folder (model weights), as plan's ContentHasher.
  std::function<std::string(const std::filesystem::path&)> folder_hash;
};

// The fields that enter a cue's gen key (a JSON object, canonical values) and
// the extension of the raw object they name.
struct KeyInputs {
  nlohmann::json fields;
  std::string ext;
};

// The pool every local-model profile shares (the machine's accelerator); the
// project's `gpu_slots` sets its depth.
inline constexpr const char* kAcceleratorPool = "gpu";

// A ninja pool an engine's generate edges run in ("" name: none).
struct PoolSpec {
  std::string name;
  int depth = 1;
};

struct EngineRow {
  std::string name;                   // what `engine = "..."` names
  std::vector<SettingSpec> settings;  // every setting a profile may write
  size_t max_prompt_chars = 4000;     // longest prompt (code points) the engine takes
  // Cue fields the engine's key never reads: the plan tells the user so.
  std::function<std::vector<std::string>(const ProfileView&)> ignored_cue_fields;
  std::function<DurationRule(const nlohmann::json& settings)> durations;
  std::function<KeyInputs(const CueInputs&, const ProfileView&, const KeyContext&)> key;
  std::function<PoolSpec(const ProfileView&)> pool;
  bool paid = false;        // results cost money: pinned, never evicted or cleaned
  bool via_server = false;  // edges run foley-gen-client: the resident server makes the call
  // Its generations run on the resident model server (server/jobs.h) when one
  // answers: a farm's servers (`foley farm up`) take its farmed edges.
  bool model_server = false;
  // Credits a generation is expected to cost (paid engines), from its key
  // fields and settings.
  std::function<double(const nlohmann::json& key_fields, const nlohmann::json& settings)> credit_estimate;
  // The most takes (candidates) one cue may ask of this engine.
  int max_takes = 1;
  // The CLAP folder that ranks a profile's takes (engines/ranking/take_scorer.h),
  // or none: its takes are then not ranked and take 0 is rendered unless one
  // is picked.
  std::function<std::optional<std::filesystem::path>(const nlohmann::json& settings)> rank_model;
  // Files whose change must re-plan (a model folder's contents).
  std::function<std::vector<std::filesystem::path>(const nlohmann::json& settings)> plan_inputs;
};

// The gen-key field that tells the takes of one cue apart. Take 0 has none (a
// cue with one take keeps the key it always had); take i > 0 has "take": i.
inline constexpr const char* kTakeKeyField = "take";

// A profile's `rank_model` setting (engines whose checkpoint holds no CLAP):
// a CLAP folder; absent: the takes are not ranked.
SettingSpec rank_model_setting();
std::optional<std::filesystem::path> rank_model_of(const nlohmann::json& settings);

// The row of an engine, or nullptr when foley knows none by that name.
const EngineRow* find_engine(std::string_view name);

// The row of an engine; throws foley::Error naming the known engines.
const EngineRow& engine_row(std::string_view name);

// The names of every known engine, in catalog order.
std::vector<std::string> engine_names();

// Adds an engine's row to the catalog (replacing one of the same name). The
// built-in rows are there from the start; tests add fakes through this.
void add_engine_row(EngineRow row);

}  // namespace foley::engines
