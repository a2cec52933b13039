#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "manifest/config.h"
#include "manifest/cue.h"
#include "plan/content_hasher.h"

namespace foley::plan {

// Version of each engine's generation behaviour. Bump one when that engine's
// output for the same inputs changes: its cached objects become stale.
inline constexpr const char* kExecEngineVersion = "1";
inline constexpr const char* kElevenLabsEngineVersion = "1";
inline constexpr const char* kAudioLdm2EngineVersion = "1";

// What one generated cue asks of its engine: the fields that enter the gen key
// (and nothing that does not change the audio), the non-key settings, and the
// extension of the raw object.
struct GenFields {
  nlohmann::json key_fields;  // object
  nlohmann::json settings;    // object
  std::string ext;
};

// Builds the gen fields of a `generated` cue for its engine profile. Placeholders
// an exec template does not use do not enter its key, so a cue's seed only
// matters to a command that reads {seed}.
GenFields gen_fields_for(const manifest::Cue& cue, const manifest::EngineProfile& profile,
                         ContentHasher& hasher);

// The raw object's extension for an ElevenLabs output format (mp3_* → mp3,
// opus_* → opus, pcm_* / ulaw_8000 / alaw_8000 → wav, wrapped by the engine).
std::string elevenlabs_ext(const std::string& output_format);

}  // namespace foley::plan
