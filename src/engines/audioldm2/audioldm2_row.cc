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
constexpr const char* kAudioLdm2EngineVersion = "1";

std::string check_device(json& value, const std::filesystem::path&) {
  std::string v = value.get<std::string>();
  if (v == "cpu" || v == "cuda" || v == "auto") return "";
  if (v.rfind("cuda:", 0) == 0 && v.size() > 5 && v.size() <= 8) {
    bool digits = true;
    for (size_t i = 5; i < v.size(); ++i) digits = digits && std::isdigit(static_cast<unsigned char>(v[i]));
    if (digits) return "";
  }
  return "`" + v + "` is not one of `cpu`, `cuda`, `cuda:N` or `auto`" + did_you_mean(v, {"cpu", "cuda", "auto"});
}

}  // namespace

EngineRow audioldm2_row() {
  EngineRow row;
  row.name = "audioldm2";
  // The text encoders read far fewer tokens; longer text is a mistake, not a prompt.
  row.max_prompt_chars = 2000;
  row.settings = {
      {"model", SettingType::kString, nullptr, true, absolute_path(),
       [](json& value, const std::filesystem::path& root) -> std::string {
         std::string problem = existing_directory("model folder")(value, root);
         if (problem.empty()) return "";
         return problem + "; download a checkpoint with `tools/fetch-model.sh audioldm2` (into models/audioldm2), "
                          "see docs/audioldm2.md";
       }},
      {"device", SettingType::kString, "auto", false, check_device},
      {"steps", SettingType::kInteger, 200, false, number_range(1, true, 1000)},
      {"guidance", SettingType::kNumber, 3.5, false, number_range(0, true, 30)},
      {"negative_prompt", SettingType::kString, "low quality, noise", false, nullptr},
      {"scheduler", SettingType::kString, "ddim", false, one_of_values({"ddim", "dpmsolver++"})},
      {"seed", SettingType::kInteger, 0, false, at_least(0)},
      {"threads", SettingType::kInteger, 0, false, number_range(0, true, 256)},
      {"idle_timeout", SettingType::kNumber, 600.0, false, at_least(0)},
      // Batching in the resident server (none of them enters the gen key).
      {"max_batch", SettingType::kInteger, 8, false, number_range(1, true, 64)},
      {"batch_window", SettingType::kNumber, 0.0, false, number_range(0, true, 10)},
      {"memory_budget", SettingType::kNumber, 0.0, false, at_least(0)},
  };
  row.ignored_cue_fields = [](const ProfileView&) {
    return std::vector<std::string>{"prompt_influence", "loop"};
  };
  row.durations = [](const json&) { return DurationRule{0.0, false, 150.0, true}; };
  row.key = [](const CueInputs& cue, const ProfileView& p, const KeyContext& ctx) {
    const std::string model = p.settings.at("model").get<std::string>();
    json k = {{"engine", "audioldm2"},
              {"engine_version", kAudioLdm2EngineVersion},
              {"model_fingerprint", ctx.folder_hash(model)},
              {"prompt", ctx.normalize_prompt(cue.prompt)},
              {"negative_prompt", ctx.normalize_prompt(cue.negative_prompt
                                                           ? *cue.negative_prompt
                                                           : p.settings.at("negative_prompt").get<std::string>())},
              {"duration", cue.duration ? json(*cue.duration) : json("auto")},
              // Integers, however the settings store them: seed 7 and 7.0 are one key.
              {"seed", cue.seed ? *cue.seed : p.settings.at("seed").get<long long>()},
              {"steps", p.settings.at("steps").get<long long>()},
              {"guidance", p.settings.at("guidance")},
              {"scheduler", p.settings.at("scheduler")}};
    return KeyInputs{std::move(k), "wav"};
  };
  // Every local-model profile shares the machine's accelerator: one pool as
  // deep as the largest batch the resident server may form.
  row.pool = [](const ProfileView& p) {
    auto it = p.settings.find("max_batch");
    int depth = it != p.settings.end() && it->is_number_integer() ? std::max(1, it->get<int>()) : 1;
    return PoolSpec{kAcceleratorPool, depth};
  };
  // Take i is the i-th waveform of diffusers' num_waveforms_per_prompt; the
  // checkpoint's own text_encoder (a whole ClapModel) ranks them.
  row.max_takes = 16;
  row.rank_model = [](const json& settings) -> std::optional<std::filesystem::path> {
    return std::filesystem::path(settings.at("model").get<std::string>());
  };
  row.plan_inputs = [](const json& settings) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    const std::filesystem::path model = settings.value("model", "");
    for (auto it = std::filesystem::recursive_directory_iterator(model, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
    return files;
  };
  row.model_server = true;
  return row;
}

}  // namespace foley::engines
