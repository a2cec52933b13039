#pragma once

#include <string>
#include <vector>

namespace foley::manifest {

// A named loudness target: `loudness = "<name>"` in a manifest.
struct LoudnessPreset {
  const char* name;
  double lufs;          // target on `measure`
  const char* measure;  // "integrated" | "momentary-max" | "short-term-max" (audio/loudness.h)
  double true_peak;     // dBTP ceiling
  const char* use;      // what it is for, for the docs and messages
};

// podcast (-16 LUFS integrated, -1 dBTP: Apple/Spotify podcast delivery),
// ebu-r128 (-23, -1: broadcast), streaming (-14, -1: music services),
// game-sfx (-18 LUFS on the loudest 400 ms, -1 dBTP: one-shots too short for
// a gated integrated measure, judged as game audio mixes them).
const std::vector<LoudnessPreset>& loudness_presets();

// The preset called `name`, or nullptr.
const LoudnessPreset* find_loudness_preset(const std::string& name);

// Every preset's name, in table order.
std::vector<std::string> loudness_preset_names();

// The measures a `loudness_measure` field accepts.
const std::vector<std::string>& loudness_measures();

}  // namespace foley::manifest
