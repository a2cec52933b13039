#include "engines/builtin_rows.h"
#include "engines/elevenlabs/elevenlabs_format.h"
#include "engines/setting_checks.h"

namespace foley::engines {
namespace {

using nlohmann::json;

// Bump when the engine's output for the same inputs changes: its cached
// objects become stale.
constexpr const char* kElevenLabsEngineVersion = "1";

json duration_value(const CueInputs& cue) { return cue.duration ? json(*cue.duration) : json("auto"); }

int tier_depth(const json& settings) {
  std::optional<ElevenLabsTier> tier = parse_elevenlabs_tier(settings.value("tier", std::string("free")));
  return elevenlabs_tier_concurrency(tier.value_or(ElevenLabsTier::kFree));
}

}  // namespace

EngineRow elevenlabs_row() {
  EngineRow row;
  row.name = "elevenlabs";
  // The API's published request schema caps `text` at 1000 characters.
  row.max_prompt_chars = 1000;
  row.settings = {
      {"base_url", SettingType::kString, "https://api.elevenlabs.io", false,
       [](json& value, const std::filesystem::path&) -> std::string {
         std::string v = value.get<std::string>();
         bool ok = (v.rfind("http://", 0) == 0 && v.size() > 7) || (v.rfind("https://", 0) == 0 && v.size() > 8);
         return ok ? "" : "must start with http:// or https://, got `" + v + "`";
       }},
      {"model_id", SettingType::kString, "eleven_text_to_sound_v2", false, non_empty()},
      {"output_format", SettingType::kString, "mp3_44100_128", false, one_of_values(elevenlabs_output_formats())},
      {"tier", SettingType::kString, "free", false, one_of_values(elevenlabs_tier_ids())},
      {"api_key_file", SettingType::kString, nullptr, false, absolute_path()},
      {"prompt_influence", SettingType::kNumber, 0.3, false, number_range(0, true, 1)},
      {"max_attempts", SettingType::kInteger, 5, false, number_range(1, true, 20)},
      {"backoff_seconds", SettingType::kNumber, 10.0, false, number_range(0, true, 3600)},
      {"jitter_seconds", SettingType::kNumber, 1.0, false, number_range(0, true, 3600)},
      {"connect_timeout", SettingType::kNumber, 10.0, false, number_range(0, false, 3600)},
      {"timeout", SettingType::kNumber, 300.0, false, number_range(0, false, 86400)},
      // The service sends nothing while it generates: the first byte can take a while.
      {"stall_seconds", SettingType::kNumber, 60.0, false, number_range(0, false, 86400)},
      {"max_retry_after", SettingType::kNumber, 300.0, false, number_range(0, true, 86400)},
      {"credits_per_second", SettingType::kNumber, 40.0, false, number_range(0, true, 1e6)},
      {"credits_per_generation", SettingType::kNumber, 100.0, false, number_range(0, true, 1e6)},
      rank_model_setting(),
  };
  row.ignored_cue_fields = [](const ProfileView&) {
    return std::vector<std::string>{"negative_prompt", "seed"};
  };
  row.durations = [](const json&) { return DurationRule{0.5, true, 30.0, false}; };
  row.key = [](const CueInputs& cue, const ProfileView& p, const KeyContext& ctx) {
    std::string format = p.settings.at("output_format").get<std::string>();
    json k = {{"engine", "elevenlabs"},
              {"engine_version", kElevenLabsEngineVersion},
              {"prompt", ctx.normalize_prompt(cue.prompt)},
              {"duration", duration_value(cue)},
              {"prompt_influence",
               cue.prompt_influence ? json(*cue.prompt_influence) : p.settings.at("prompt_influence")},
              {"loop", cue.loop},
              {"model_id", p.settings.at("model_id")},
              {"output_format", format}};
    return KeyInputs{std::move(k), elevenlabs_object_ext(format)};
  };
  // One pool per profile: the subscription's concurrent-request limit.
  row.pool = [](const ProfileView& p) {
    return PoolSpec{"engine_" + p.name, p.concurrency ? *p.concurrency : tier_depth(p.settings)};
  };
  // Each take is one paid call: a small bound keeps a typo from spending much.
  row.max_takes = 8;
  row.rank_model = rank_model_of;
  row.paid = true;
  row.via_server = true;
  row.credit_estimate = [](const json& key_fields, const json& settings) {
    const json& d = key_fields.contains("duration") ? key_fields["duration"] : json();
    // The settings of a validated profile hold every default (the specs above).
    if (d.is_number()) return settings.at("credits_per_second").get<double>() * d.get<double>();
    return settings.at("credits_per_generation").get<double>();
  };
  return row;
}

}  // namespace foley::engines
