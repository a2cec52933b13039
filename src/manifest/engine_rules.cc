#include "manifest/engine_rules.h"

#include <cmath>
#include <functional>
#include <sstream>

#include "manifest/suggest.h"

namespace foley::manifest {
namespace {

enum class Kind { kString, kBool, kInteger, kNumber, kStringArray };

// Returns a problem ("must be ...") or "". May rewrite the value (paths).
using Check = std::function<std::string(nlohmann::json& value, const EngineContext& ctx)>;

struct SettingRule {
  const char* name;
  Kind kind;
  nlohmann::json fallback;  // filled in when absent; null = no default
  bool required = false;
  Check check;
};

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

Check number_range(double lo, bool lo_inclusive, double hi, bool hi_inclusive = true) {
  return [=](nlohmann::json& value, const EngineContext&) -> std::string {
    double v = value.get<double>();
    bool ok = std::isfinite(v) && (lo_inclusive ? v >= lo : v > lo) && (hi_inclusive ? v <= hi : v < hi);
    if (ok) return "";
    std::string text = "must be " + std::string(lo_inclusive ? "≥ " : "> ") + format_number(lo);
    if (std::isfinite(hi)) text += " and " + std::string(hi_inclusive ? "≤ " : "< ") + format_number(hi);
    return text + ", got " + format_number(v);
  };
}

Check at_least(double lo) { return number_range(lo, true, INFINITY, false); }
Check positive() { return number_range(0, false, INFINITY, false); }

Check one_of_values(std::vector<std::string> allowed) {
  return [allowed](nlohmann::json& value, const EngineContext&) -> std::string {
    std::string v = value.get<std::string>();
    for (const std::string& a : allowed) {
      if (v == a) return "";
    }
    return "`" + v + "` is not one of " + one_of(allowed) + did_you_mean(v, allowed);
  };
}

Check non_empty() {
  return [](nlohmann::json& value, const EngineContext&) -> std::string {
    return value.get<std::string>().empty() ? "must not be empty" : "";
  };
}

// Makes a relative path absolute against the project root.
std::filesystem::path resolve(const std::string& path, const EngineContext& ctx) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = ctx.root / p;
  return p.lexically_normal();
}

std::string check_placeholders(const std::string& word) {
  const std::vector<std::string>& known = exec_placeholders();
  // A placeholder is `{` lower-case identifier `}`; any other brace is literal,
  // so shell snippets such as `{ a; b; }` pass through untouched.
  for (size_t open = word.find('{'); open != std::string::npos; open = word.find('{', open + 1)) {
    size_t close = open + 1;
    while (close < word.size() && (std::islower(static_cast<unsigned char>(word[close])) || word[close] == '_')) {
      ++close;
    }
    if (close == open + 1 || close >= word.size() || word[close] != '}') continue;
    std::string name = word.substr(open + 1, close - open - 1);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return "unknown placeholder `{" + name + "}`" + did_you_mean(name, known) + "; known: " + one_of(known);
    }
  }
  return "";
}

const std::map<std::string, std::vector<SettingRule>>& rules() {
  static const std::map<std::string, std::vector<SettingRule>> table = [] {
    std::map<std::string, std::vector<SettingRule>> t;
    t["exec"] = {
        {"command", Kind::kStringArray, nullptr, true,
         [](nlohmann::json& value, const EngineContext&) -> std::string {
           if (value.empty()) return "must hold at least one string (the program)";
           if (value[0].get<std::string>().empty()) return "the program (first element) must not be empty";
           for (const nlohmann::json& word : value) {
             std::string problem = check_placeholders(word.get<std::string>());
             if (!problem.empty()) return problem;
           }
           return "";
         }},
        {"shell", Kind::kBool, false, false, nullptr},
        {"ext", Kind::kString, "wav", false,
         [](nlohmann::json& value, const EngineContext&) -> std::string {
           std::string v = value.get<std::string>();
           bool ok = !v.empty() && v.size() <= 8;
           for (char c : v) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
           return ok ? "" : "must be 1-8 characters of [a-z0-9], got `" + v + "`";
         }},
        {"version", Kind::kString, "1", false, non_empty()},
        {"max_duration", Kind::kNumber, 3600.0, false, positive()},
    };
    t["elevenlabs"] = {
        {"base_url", Kind::kString, "https://api.elevenlabs.io", false,
         [](nlohmann::json& value, const EngineContext&) -> std::string {
           std::string v = value.get<std::string>();
           bool ok = (v.rfind("http://", 0) == 0 && v.size() > 7) || (v.rfind("https://", 0) == 0 && v.size() > 8);
           return ok ? "" : "must start with http:// or https://, got `" + v + "`";
         }},
        {"model_id", Kind::kString, "eleven_text_to_sound_v2", false, non_empty()},
        {"output_format", Kind::kString, "mp3_44100_128", false,
         one_of_values({"mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96",
                        "mp3_44100_128", "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000",
                        "pcm_32000", "pcm_44100", "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32",
                        "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192"})},
        {"tier", Kind::kString, "free", false,
         one_of_values({"free", "starter", "creator", "pro", "scale", "business"})},
        {"api_key_file", Kind::kString, nullptr, false,
         [](nlohmann::json& value, const EngineContext& ctx) -> std::string {
           if (value.get<std::string>().empty()) return "must not be empty";
           value = resolve(value.get<std::string>(), ctx).string();
           return "";
         }},
        {"prompt_influence", Kind::kNumber, 0.3, false, number_range(0, true, 1)},
        {"max_attempts", Kind::kInteger, 5, false, number_range(1, true, 20)},
        {"backoff_seconds", Kind::kNumber, 10.0, false, at_least(0)},
        {"jitter_seconds", Kind::kNumber, 1.0, false, at_least(0)},
        {"connect_timeout", Kind::kNumber, 10.0, false, positive()},
        {"timeout", Kind::kNumber, 300.0, false, positive()},
        // The service sends nothing while it generates: the first byte can take a while.
        {"stall_seconds", Kind::kNumber, 60.0, false, positive()},
        {"max_retry_after", Kind::kNumber, 300.0, false, at_least(0)},
        {"credits_per_second", Kind::kNumber, 40.0, false, at_least(0)},
        {"credits_per_generation", Kind::kNumber, 100.0, false, at_least(0)},
    };
    t["audioldm2"] = {
        {"model", Kind::kString, nullptr, true,
         [](nlohmann::json& value, const EngineContext& ctx) -> std::string {
           std::string written = value.get<std::string>();
           if (written.empty()) return "must not be empty";
           std::filesystem::path p = resolve(written, ctx);
           std::error_code ec;
           if (!std::filesystem::is_directory(p, ec)) {
             return "model folder `" + written + "` does not exist or is not a directory (looked at " +
                    p.string() + ")";
           }
           value = p.string();
           return "";
         }},
        {"device", Kind::kString, "auto", false,
         [](nlohmann::json& value, const EngineContext&) -> std::string {
           std::string v = value.get<std::string>();
           if (v == "cpu" || v == "cuda" || v == "auto") return "";
           if (v.rfind("cuda:", 0) == 0 && v.size() > 5 && v.size() <= 8) {
             bool digits = true;
             for (size_t i = 5; i < v.size(); ++i) digits = digits && std::isdigit(static_cast<unsigned char>(v[i]));
             if (digits) return "";
           }
           return "`" + v + "` is not one of `cpu`, `cuda`, `cuda:N` or `auto`" +
                  did_you_mean(v, {"cpu", "cuda", "auto"});
         }},
        {"steps", Kind::kInteger, 200, false, number_range(1, true, 1000)},
        {"guidance", Kind::kNumber, 3.5, false, number_range(0, true, 30)},
        {"negative_prompt", Kind::kString, "low quality, noise", false, nullptr},
        {"scheduler", Kind::kString, "ddim", false, one_of_values({"ddim", "dpmsolver++"})},
        {"seed", Kind::kInteger, 0, false, at_least(0)},
        {"threads", Kind::kInteger, 0, false, number_range(0, true, 256)},
        {"idle_timeout", Kind::kNumber, 600.0, false, at_least(0)},
        // Batching in the resident model server (none of them enters the gen key).
        {"max_batch", Kind::kInteger, 8, false, number_range(1, true, 64)},
        {"batch_window", Kind::kNumber, 0.0, false, number_range(0, true, 10)},
        {"memory_budget", Kind::kNumber, 0.0, false, at_least(0)},
    };
    return t;
  }();
  return table;
}

// Checks the JSON type; integers are accepted as numbers (and stored as such).
std::string check_kind(Kind kind, nlohmann::json& value) {
  switch (kind) {
    case Kind::kString:
      return value.is_string() ? "" : "expected a string";
    case Kind::kBool:
      return value.is_boolean() ? "" : "expected true or false";
    case Kind::kInteger:
      return value.is_number_integer() ? "" : "expected an integer";
    case Kind::kNumber:
      if (!value.is_number()) return "expected a number";
      value = value.get<double>();
      return "";
    case Kind::kStringArray:
      if (!value.is_array()) return "expected an array of strings";
      for (const nlohmann::json& element : value) {
        if (!element.is_string()) return "expected an array of strings";
      }
      return "";
  }
  return "";
}

}  // namespace

const std::vector<std::string>& engine_kinds() {
  static const std::vector<std::string> kinds = {"exec", "elevenlabs", "audioldm2"};
  return kinds;
}

const std::vector<std::string>& exec_placeholders() {
  static const std::vector<std::string> names = {"out",  "prompt", "negative_prompt", "duration",   "seed",
                                                 "prompt_influence", "loop", "cue", "sample_rate"};
  return names;
}

nlohmann::json validate_engine_settings(const std::string& kind,
                                        const std::map<std::string, RawSetting>& settings,
                                        const EngineContext& ctx, Diagnostics& diags) {
  nlohmann::json out = nlohmann::json::object();
  auto found = rules().find(kind);
  if (found == rules().end()) return out;
  const std::vector<SettingRule>& kind_rules = found->second;
  std::string prefix = "engines." + ctx.profile + ".";
  std::vector<std::string> known = {"engine", "concurrency"};
  for (const SettingRule& rule : kind_rules) known.push_back(rule.name);

  for (const auto& [key, raw] : settings) {
    bool is_known = false;
    for (const SettingRule& rule : kind_rules) is_known = is_known || key == rule.name;
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

  for (const SettingRule& rule : kind_rules) {
    auto it = settings.find(rule.name);
    if (it == settings.end()) {
      if (rule.required) {
        diags.error(ctx.table_where, "", prefix + rule.name,
                    "required by engine `" + kind + "` but missing");
      } else if (!rule.fallback.is_null()) {
        out[rule.name] = rule.fallback;
      }
      continue;
    }
    nlohmann::json value = it->second.value;
    std::string problem = check_kind(rule.kind, value);
    if (problem.empty() && rule.check) problem = rule.check(value, ctx);
    if (!problem.empty()) {
      diags.error(it->second.value_where, "", prefix + rule.name, problem);
      continue;
    }
    out[rule.name] = std::move(value);
  }
  return out;
}

bool DurationRule::accepts(double seconds) const {
  if (!std::isfinite(seconds)) return false;
  bool above = min_inclusive ? seconds >= min : seconds > min;
  return above && seconds <= max;
}

std::string DurationRule::describe() const {
  return format_number(min) + (min_inclusive ? " ≤ " : " < ") + "duration ≤ " + format_number(max) + " s";
}

DurationRule duration_rule(const EngineProfile& profile) {
  if (profile.engine == "elevenlabs") return DurationRule{0.5, true, 30.0, false};
  if (profile.engine == "audioldm2") return DurationRule{0.0, false, 150.0, true};
  double max = 3600.0;
  if (profile.settings.is_object() && profile.settings.contains("max_duration") &&
      profile.settings["max_duration"].is_number()) {
    max = profile.settings["max_duration"].get<double>();
  }
  return DurationRule{0.0, false, max, true};
}

}  // namespace foley::manifest
