#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "audio/loudness.h"

namespace foley::audio {

// The "render" object of a RenderRequest, validated. Its JSON keys are the
// fields below; sample_rate .. clip are required, the later ones (added with
// loops, loudness presets and the DC guard) default as written when absent.
struct RenderSettings {
  int sample_rate = 48000;         // Hz, 8000..192000
  int bit_depth = 24;              // 16, 24, or 32 (float, wav only)
  std::string format = "wav";      // "wav" | "flac" | "mp3" | "ogg" | "opus" (delivery_formats.h)
  int channels = 1;                // 1 or 2; 0 = the input's own layout (JSON "source")
  std::optional<double> loudness;  // LUFS target, -70..0; empty = leave the level alone
  double gain_db = 0.0;            // -96..+48, applied before loudness normalisation
  double fade_in = 0.0;            // seconds, >= 0
  double fade_out = 0.0;           // seconds, >= 0
  std::optional<double> clip;      // playback length in seconds (> 0); empty = keep the length
  LoudnessMeasure loudness_measure = LoudnessMeasure::kIntegrated;  // JSON "integrated" | "momentary-max" | "short-term-max"
  double true_peak = -1.0;         // dBTP ceiling of the limiter, -20..0
  double highpass = 0.0;           // Hz, DC guard cut-off (highpass.h), 0 = off, else 5..200
  bool loop = false;               // render a seamless loop (loop.h) instead of a one-shot
  std::optional<int> bitrate;      // kbps, mp3 and opus; empty = the format's default
  std::optional<double> quality;   // 0..10, ogg (Vorbis); empty = the format's default

  // Parses and validates; throws foley::Error naming `cue` and the offending
  // field (missing, unknown, wrong type or out of range).
  static RenderSettings from_json(const nlohmann::json& j, const std::string& cue);
  // Every key; loudness and clip are null when empty.
  nlohmann::json to_json() const;
};

}  // namespace foley::audio
