#include "plan/gen_fields.h"

#include "common/error.h"
#include "plan/text_normalize.h"

namespace foley::plan {
namespace {

using nlohmann::json;

json setting(const manifest::EngineProfile& p, const char* name) {
  auto it = p.settings.find(name);
  if (it == p.settings.end())
    throw Error(p.where.str() + ": engine profile \"" + p.name + "\" has no setting \"" + name + "\"");
  return *it;
}

// Placeholders are `{` lower-case letters or `_` `}` (manifest/engine_rules.h);
// every other brace is literal.
bool template_uses(const json& command, const std::string& placeholder) {
  std::string needle = "{" + placeholder + "}";
  for (const auto& arg : command)
    if (arg.is_string() && arg.get_ref<const std::string&>().find(needle) != std::string::npos) return true;
  return false;
}

json duration_value(const manifest::Cue& cue) { return cue.duration ? json(*cue.duration) : json("auto"); }

GenFields exec_fields(const manifest::Cue& cue, const manifest::EngineProfile& p) {
  GenFields g;
  json command = setting(p, "command");
  json k = {{"engine", "exec"},
            {"engine_version", kExecEngineVersion},
            {"command", command},
            {"shell", setting(p, "shell")},
            {"version", setting(p, "version")}};
  // Only what the template reads can change the output.
  if (template_uses(command, "prompt")) k["prompt"] = normalize_prompt(cue.prompt);
  if (template_uses(command, "negative_prompt"))
    k["negative_prompt"] = normalize_prompt(cue.negative_prompt.value_or(""));
  if (template_uses(command, "duration")) k["duration"] = duration_value(cue);
  if (template_uses(command, "seed")) k["seed"] = cue.seed.value_or(0);
  if (template_uses(command, "prompt_influence")) k["prompt_influence"] = cue.prompt_influence.value_or(0.3);
  if (template_uses(command, "loop")) k["loop"] = cue.loop;
  if (template_uses(command, "cue")) k["cue"] = cue.id;
  if (template_uses(command, "sample_rate")) k["sample_rate"] = cue.render.sample_rate;
  g.key_fields = std::move(k);
  g.ext = setting(p, "ext").get<std::string>();
  return g;
}

GenFields elevenlabs_fields(const manifest::Cue& cue, const manifest::EngineProfile& p) {
  GenFields g;
  std::string format = setting(p, "output_format").get<std::string>();
  g.key_fields = {{"engine", "elevenlabs"},
                  {"engine_version", kElevenLabsEngineVersion},
                  {"prompt", normalize_prompt(cue.prompt)},
                  {"duration", duration_value(cue)},
                  {"prompt_influence", cue.prompt_influence ? json(*cue.prompt_influence)
                                                            : setting(p, "prompt_influence")},
                  {"loop", cue.loop},
                  {"model_id", setting(p, "model_id")},
                  {"output_format", format}};
  g.ext = elevenlabs_ext(format);
  return g;
}

GenFields audioldm2_fields(const manifest::Cue& cue, const manifest::EngineProfile& p, ContentHasher& hasher) {
  GenFields g;
  std::string model = setting(p, "model").get<std::string>();
  g.key_fields = {{"engine", "audioldm2"},
                  {"engine_version", kAudioLdm2EngineVersion},
                  {"model_fingerprint", hasher.folder_hash(model)},
                  {"prompt", normalize_prompt(cue.prompt)},
                  {"negative_prompt", cue.negative_prompt ? normalize_prompt(*cue.negative_prompt)
                                                          : normalize_prompt(setting(p, "negative_prompt").get<std::string>())},
                  {"duration", duration_value(cue)},
                  // Integers, however the settings store them: seed 7 and 7.0 are one key.
                  {"seed", cue.seed ? *cue.seed : setting(p, "seed").get<long long>()},
                  {"steps", setting(p, "steps").get<long long>()},
                  {"guidance", setting(p, "guidance")},
                  {"scheduler", setting(p, "scheduler")}};
  g.ext = "wav";
  return g;
}

}  // namespace

std::string elevenlabs_ext(const std::string& output_format) {
  if (output_format.rfind("mp3_", 0) == 0) return "mp3";
  if (output_format.rfind("opus_", 0) == 0) return "opus";
  return "wav";
}

GenFields gen_fields_for(const manifest::Cue& cue, const manifest::EngineProfile& profile, ContentHasher& hasher) {
  GenFields g;
  if (profile.engine == "exec") {
    g = exec_fields(cue, profile);
  } else if (profile.engine == "elevenlabs") {
    g = elevenlabs_fields(cue, profile);
  } else if (profile.engine == "audioldm2") {
    g = audioldm2_fields(cue, profile, hasher);
  } else {
    throw Error(profile.where.str() + ": unknown engine \"" + profile.engine + "\"");
  }
  g.settings = profile.settings;
  return g;
}

}  // namespace foley::plan
