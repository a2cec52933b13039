#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "manifest/config.h"
#include "manifest/diagnostics.h"
#include "manifest/fields.h"

namespace foley::manifest {

// foley.toml after parsing and validation, plus its [render] table as raw
// fields: the bottom layer of every cue's render settings.
struct LoadedConfig {
  ProjectConfig config;
  RawFields render;
  bool parsed = false;                  // false after a TOML syntax error: engines unknown
  // Where `manifest_dir` was written (a missing folder is then an error there);
  // nullopt when it was not.
  std::optional<SourceLocation> manifest_dir_written;
};

// Parses and validates the text of `root`/foley.toml. Every problem goes to
// `diags` (file "foley.toml"); the result holds whatever was valid, with
// defaults for the rest. `root` must be absolute.
LoadedConfig parse_config(const std::filesystem::path& root, std::string_view text, Diagnostics& diags);

}  // namespace foley::manifest
