#include "manifest/loudness_presets.h"

namespace foley::manifest {

const std::vector<LoudnessPreset>& loudness_presets() {
  static const std::vector<LoudnessPreset> v = {
      {"podcast", -16.0, "integrated", -1.0, "spoken-word podcasts"},
      {"ebu-r128", -23.0, "integrated", -1.0, "broadcast (EBU R 128)"},
      {"streaming", -14.0, "integrated", -1.0, "music streaming services"},
      {"game-sfx", -18.0, "momentary-max", -1.0, "game one-shots: the loudest 400 ms"},
  };
  return v;
}

const LoudnessPreset* find_loudness_preset(const std::string& name) {
  for (const LoudnessPreset& p : loudness_presets())
    if (name == p.name) return &p;
  return nullptr;
}

std::vector<std::string> loudness_preset_names() {
  std::vector<std::string> names;
  for (const LoudnessPreset& p : loudness_presets()) names.push_back(p.name);
  return names;
}

const std::vector<std::string>& loudness_measures() {
  static const std::vector<std::string> v = {"integrated", "momentary-max", "short-term-max"};
  return v;
}

}  // namespace foley::manifest
