#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "manifest/config_parser.h"
#include "manifest/cue.h"
#include "manifest/diagnostics.h"
#include "manifest/manifest_parser.h"

namespace foley::manifest {

// What resolving a cue needs besides the cue itself.
struct CueContext {
  const LoadedConfig& config;
  std::filesystem::path display_file;  // the manifest as messages name it
  std::string manifest;                // manifest name ("ep1", "s1/ep2")
};

// True for ids of [A-Za-z0-9][A-Za-z0-9_.-]{0,127} without "..": safe as a
// file name (out/<manifest>/<id>.<format>) and in a ninja path.
bool is_valid_cue_id(std::string_view id);

// Validates one cue against the project: its own fields, then the fields
// merged over foley.toml [render] and the file's [defaults] (already checked),
// then the rules that span fields (required fields per type, the engine's
// duration range, source paths that must stay inside the project root).
// Every problem goes to `diags`; the returned cue holds the valid values.
Cue resolve_cue(const RawCue& raw, const RawFields& defaults, const CueContext& ctx, Diagnostics& diags);

}  // namespace foley::manifest
