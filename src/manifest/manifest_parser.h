#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diagnostics.h"
#include "manifest/fields.h"

namespace foley::manifest {

// One [cue.<id>] table, typed but not validated.
struct RawCue {
  std::string id;
  SourceLocation where;     // the table (its [cue.<id>] header)
  SourceLocation id_where;  // the id as written in the header
  RawFields fields;
};

// One manifest file, typed but not validated.
struct RawManifest {
  bool parsed = false;      // false after a TOML syntax error
  SourceLocation defaults_where;
  RawFields defaults;
  std::vector<RawCue> cues; // in file order
};

// Parses a manifest's text: the TOML syntax, its layout ([defaults], [cue.*])
// and every field's type. Unknown keys and wrong types go to `diags`.
// `display_file` is the path messages name.
RawManifest parse_manifest(std::string_view text, const std::filesystem::path& display_file, Diagnostics& diags);

}  // namespace foley::manifest
