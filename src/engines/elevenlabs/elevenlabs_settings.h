#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engines/elevenlabs/retry.h"

namespace foley::engines {

// An `elevenlabs` profile's settings (GenRequest::settings). None of them
// changes the audio, so none enters the gen key. Their defaults are the
// catalog row's (elevenlabs_row.cc), filled in by parse_elevenlabs_settings.
struct ElevenLabsSettings {
  std::string base_url;                // no trailing slash; data-residency hosts are set here
  std::string tier;
  std::filesystem::path api_key_file;  // empty: only the environment
  RetryPolicy retry;                   // max_attempts, backoff_seconds, jitter_seconds, max_retry_after
  double connect_timeout = 0.0;        // seconds
  double timeout = 0.0;                // seconds for one attempt; 0 = none
  double stall_seconds = 0.0;          // < 1 byte/s for this long aborts the attempt
  double credits_per_second = 0.0;     // estimate when no character-cost header comes back
  double credits_per_generation = 0.0; // estimate for an automatic-length generation
  // The profile's request pool, as the plan wrote it: at most `pool_depth`
  // requests in flight across every process using the cache (0: no limit).
  std::string pool_name;
  int pool_depth = 0;
};

// Reads the settings object, filling absent (or null) keys with the catalog
// row's defaults.
// Throws foley::Error naming `context` and the key on a wrong type or range.
ElevenLabsSettings parse_elevenlabs_settings(const nlohmann::json& settings, const std::string& context);

// The API key: ELEVENLABS_API_KEY when set and non-empty, else the trimmed
// contents of settings.api_key_file. Throws foley::Error (naming both ways and
// the local alternative, never any key material) when neither gives a key.
// `caller_env`, when given, is the value ELEVENLABS_API_KEY has for whoever
// asked (empty: unset), used instead of this process's environment: the
// resident server generates for clients whose environment it does not share.
std::string resolve_elevenlabs_api_key(const ElevenLabsSettings& settings, const std::string& profile,
                                      const std::optional<std::string>& caller_env = std::nullopt);

}  // namespace foley::engines
