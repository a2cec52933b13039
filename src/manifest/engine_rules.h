#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/config.h"
#include "manifest/diagnostics.h"
#include "manifest/source_location.h"

namespace foley::manifest {

// One key of an [engines.<name>] table, converted to JSON, with where its key
// and its value were written.
struct RawSetting {
  nlohmann::json value;
  SourceLocation key_where;
  SourceLocation value_where;
};

// What messages and path resolution need to know about the profile.
struct EngineContext {
  std::filesystem::path root;   // project root: relative paths resolve against it
  std::string profile;          // the profile name, for "engines.<profile>.<key>"
  SourceLocation table_where;   // the [engines.<profile>] header, for missing keys
};

// The engines foley knows: "exec", "elevenlabs", "audioldm2".
const std::vector<std::string>& engine_kinds();

// The placeholders an exec `command` may use ("out", "prompt", ...).
const std::vector<std::string>& exec_placeholders();

// Checks every setting of a profile of engine `kind` (type, range, unknown
// keys with suggestions, paths) and returns the settings object with every
// default filled in and paths made absolute. Problems go to `diags`, each
// naming the field "engines.<profile>.<key>".
nlohmann::json validate_engine_settings(const std::string& kind,
                                        const std::map<std::string, RawSetting>& settings,
                                        const EngineContext& ctx, Diagnostics& diags);

// The generation lengths a profile accepts, in seconds.
struct DurationRule {
  double min = 0.0;
  bool min_inclusive = false;
  double max = 0.0;             // inclusive
  bool required = false;        // false: absent means "the engine picks"

  bool accepts(double seconds) const;
  // "0.5 ≤ duration ≤ 30 s" style text for messages.
  std::string describe() const;
};

// The duration rule of a validated profile (exec reads its max_duration).
DurationRule duration_rule(const EngineProfile& profile);

}  // namespace foley::manifest
