#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/catalog.h"
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

// The engines foley knows, in catalog order (engines/catalog.h).
std::vector<std::string> engine_kinds();

// Checks every setting of a profile of engine `kind` against its catalog row
// (type, range, unknown keys with suggestions, paths) and returns the settings object with every
// default filled in and paths made absolute. Problems go to `diags`, each
// naming the field "engines.<profile>.<key>". A setting that is valid but
// unavailable on this machine (engines::SettingSpec::availability) is no
// problem of the manifest: its message, with its location, goes to
// `unavailable` (when given), and the profile's cues fail at build time.
nlohmann::json validate_engine_settings(const std::string& kind,
                                        const std::map<std::string, RawSetting>& settings,
                                        const EngineContext& ctx, Diagnostics& diags,
                                        std::string* unavailable = nullptr);

using DurationRule = engines::DurationRule;

// The duration rule of a validated profile, as its engine's row gives it.
DurationRule duration_rule(const EngineProfile& profile);

}  // namespace foley::manifest
