#include "manifest/engine_rules.h"

#include "common/suggest.h"
#include "engines/setting_checks.h"

namespace foley::manifest {

std::vector<std::string> engine_kinds() { return engines::engine_names(); }

nlohmann::json validate_engine_settings(const std::string& kind,
                                        const std::map<std::string, RawSetting>& settings,
                                        const EngineContext& ctx, Diagnostics& diags,
                                        std::string* unavailable) {
  nlohmann::json out = nlohmann::json::object();
  const engines::EngineRow* row = engines::find_engine(kind);
  if (row == nullptr) return out;
  const std::vector<engines::SettingSpec>& specs = row->settings;
  std::string prefix = "engines." + ctx.profile + ".";
  std::vector<std::string> known = {"engine", "concurrency"};
  for (const engines::SettingSpec& spec : specs) known.push_back(spec.name);

  for (const auto& [key, raw] : settings) {
    bool is_known = false;
    for (const engines::SettingSpec& spec : specs) is_known = is_known || key == spec.name;
    if (is_known) continue;
    if (key == "api_key") {
      diags.error(raw.key_where, "", prefix + key,
                  "never write an API key into foley.toml; set ELEVENLABS_API_KEY in the environment or "
                  "name a file holding the key with `api_key_file`");
    } else {
      diags.error(raw.key_where, "", prefix + key,
                  "unknown setting for engine `" + kind + "`" + did_you_mean(key, known));
    }
  }

  for (const engines::SettingSpec& spec : specs) {
    auto it = settings.find(spec.name);
    if (it == settings.end()) {
      if (spec.required) {
        diags.error(ctx.table_where, "", prefix + spec.name, "required by engine `" + kind + "` but missing");
      } else if (!spec.fallback.is_null()) {
        out[spec.name] = spec.fallback;
      }
      continue;
    }
    nlohmann::json value = it->second.value;
    std::string problem = engines::check_setting_type(spec.type, value);
    if (problem.empty() && spec.check) problem = spec.check(value, ctx.root);
    if (!problem.empty()) {
      diags.error(it->second.value_where, "", prefix + spec.name, problem);
      continue;
    }
    if (spec.availability && unavailable != nullptr && unavailable->empty()) {
      nlohmann::json written = it->second.value;
      std::string missing = spec.availability(written, ctx.root);
      if (!missing.empty()) *unavailable = Diagnostic{it->second.value_where, "", prefix + spec.name, missing}.str();
    }
    out[spec.name] = std::move(value);
  }
  return out;
}

DurationRule duration_rule(const EngineProfile& profile) {
  return engines::engine_row(profile.engine).durations(profile.settings);
}

}  // namespace foley::manifest
