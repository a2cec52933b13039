#include <algorithm>
#include <cctype>

#include "common/suggest.h"
#include "engines/builtin_rows.h"
#include "engines/setting_checks.h"

namespace foley::engines {
namespace {

using nlohmann::json;

// Bump when the engine's output for the same inputs changes: its cached
// objects become stale.
constexpr const char* kExecEngineVersion = "1";

// The placeholders a `command` may use, and the cue field each reads.
const std::vector<std::string>& placeholders() {
  static const std::vector<std::string> names = {"out",  "prompt", "negative_prompt", "duration",   "seed",
                                                 "prompt_influence", "loop", "cue", "sample_rate", "take"};
  return names;
}

// A placeholder is `{` lower-case identifier `}`; any other brace is literal,
// so shell snippets such as `{ a; b; }` pass through untouched.
std::string check_placeholders(const std::string& word) {
  const std::vector<std::string>& known = placeholders();
  for (size_t open = word.find('{'); open != std::string::npos; open = word.find('{', open + 1)) {
    size_t close = open + 1;
    while (close < word.size() && (std::islower(static_cast<unsigned char>(word[close])) || word[close] == '_'))
      ++close;
    if (close == open + 1 || close >= word.size() || word[close] != '}') continue;
    std::string name = word.substr(open + 1, close - open - 1);
    if (std::find(known.begin(), known.end(), name) == known.end())
      return "unknown placeholder `{" + name + "}`" + did_you_mean(name, known) + "; known: " + one_of(known);
  }
  return "";
}

bool template_uses(const json& command, const std::string& placeholder) {
  std::string needle = "{" + placeholder + "}";
  for (const auto& arg : command)
    if (arg.is_string() && arg.get_ref<const std::string&>().find(needle) != std::string::npos) return true;
  return false;
}

json duration_value(const CueInputs& cue) { return cue.duration ? json(*cue.duration) : json("auto"); }

KeyInputs exec_key(const CueInputs& cue, const ProfileView& p, const KeyContext& ctx) {
  const json& command = p.settings.at("command");
  json k = {{"engine", "exec"},
            {"engine_version", kExecEngineVersion},
            {"command", command},
            {"shell", p.settings.at("shell")},
            {"version", p.settings.at("version")}};
  // Only what the template reads can change the output.
  if (template_uses(command, "prompt")) k["prompt"] = ctx.normalize_prompt(cue.prompt);
  if (template_uses(command, "negative_prompt"))
    k["negative_prompt"] = ctx.normalize_prompt(cue.negative_prompt.value_or(""));
  if (template_uses(command, "duration")) k["duration"] = duration_value(cue);
  if (template_uses(command, "seed")) k["seed"] = cue.seed.value_or(0);
  if (template_uses(command, "prompt_influence")) k["prompt_influence"] = cue.prompt_influence.value_or(0.3);
  if (template_uses(command, "loop")) k["loop"] = cue.loop;
  if (template_uses(command, "cue")) k["cue"] = cue.id;
  if (template_uses(command, "sample_rate")) k["sample_rate"] = cue.sample_rate;
  // {take} reads the take index the planner adds to every take but the first
  // (kTakeKeyField); the key of take 0 stays the one a single take has.
  return {std::move(k), p.settings.at("ext").get<std::string>()};
}

}  // namespace

EngineRow exec_row() {
  EngineRow row;
  row.name = "exec";
  row.settings = {
      {"command", SettingType::kStringArray, nullptr, true,
       [](json& value, const std::filesystem::path&) -> std::string {
         if (value.empty()) return "must hold at least one string (the program)";
         if (value[0].get<std::string>().empty()) return "the program (first element) must not be empty";
         for (const json& word : value) {
           std::string problem = check_placeholders(word.get<std::string>());
           if (!problem.empty()) return problem;
         }
         return "";
       }},
      {"shell", SettingType::kBool, false, false, nullptr},
      {"ext", SettingType::kString, "wav", false,
       [](json& value, const std::filesystem::path&) -> std::string {
         std::string v = value.get<std::string>();
         bool ok = !v.empty() && v.size() <= 8;
         for (char c : v) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
         return ok ? "" : "must be 1-8 characters of [a-z0-9], got `" + v + "`";
       }},
      {"version", SettingType::kString, "1", false, non_empty()},
      {"max_duration", SettingType::kNumber, 3600.0, false, positive()},
      rank_model_setting(),
  };
  row.ignored_cue_fields = [](const ProfileView& p) {
    std::vector<std::string> ignored;
    for (const char* field : {"prompt", "negative_prompt", "duration", "seed", "prompt_influence", "loop"})
      if (!template_uses(p.settings.at("command"), field)) ignored.push_back(field);
    return ignored;
  };
  row.durations = [](const json& settings) {
    double max = settings.is_object() && settings.contains("max_duration") && settings["max_duration"].is_number()
                     ? settings["max_duration"].get<double>()
                     : 3600.0;
    return DurationRule{0.0, false, max, true};
  };
  row.key = exec_key;
  row.max_takes = 64;
  row.rank_model = rank_model_of;
  // Unbounded unless the profile asks for a limit.
  row.pool = [](const ProfileView& p) {
    return p.concurrency ? PoolSpec{"engine_" + p.name, *p.concurrency} : PoolSpec{};
  };
  return row;
}

}  // namespace foley::engines
