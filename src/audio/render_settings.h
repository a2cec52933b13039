#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace foley::audio {

// The "render" object of a RenderRequest, validated. Its JSON keys are exactly
// sample_rate, bit_depth, format, channels, loudness, gain_db, fade_in,
// fade_out and clip.
struct RenderSettings {
  int sample_rate = 48000;         // Hz, 8000..192000
  int bit_depth = 24;              // 16, 24, or 32 (float, wav only)
  std::string format = "wav";      // "wav" | "flac"
  int channels = 1;                // 1 or 2
  std::optional<double> loudness;  // integrated LUFS target, -70..0; empty = leave the level alone
  double gain_db = 0.0;            // -96..+48, applied after loudness normalisation
  double fade_in = 0.0;            // seconds, >= 0
  double fade_out = 0.0;           // seconds, >= 0
  std::optional<double> clip;      // playback length in seconds (> 0); empty = keep the length

  // Parses and validates; throws foley::Error naming `cue` and the offending
  // field (missing, unknown, wrong type or out of range).
  static RenderSettings from_json(const nlohmann::json& j, const std::string& cue);
  // The same nine keys; loudness and clip are null when empty.
  nlohmann::json to_json() const;
};

}  // namespace foley::audio
