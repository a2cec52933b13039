#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "manifest/cue.h"
#include "manifest/diagnostics.h"

namespace foley::manifest {

// foley.lock, beside foley.toml: the takes `foley pick` locked, meant to be
// committed so that a team renders the same takes. Small TOML:
//
//   version = 1
//   [picks."ep1:door"]
//   take = 2
//   gen_key = "<32 hex: the take's gen key when it was picked>"
//
// foley plan reads it and never writes it; only `foley pick` does.
inline constexpr const char* kLockFile = "foley.lock";
inline constexpr int kLockVersion = 1;

// The picks of foley.lock under `root`; none when the file is absent.
// Problems go to `diags` with file, line and field.
std::map<std::string, TakePick> read_lock(const std::filesystem::path& root, Diagnostics& diags);

// The same from text (`display_file` names it in messages).
std::map<std::string, TakePick> parse_lock(std::string_view text, const std::filesystem::path& display_file,
                                           Diagnostics& diags);

// The text of a lock holding `picks` (sorted by cue).
std::string lock_text(const std::map<std::string, TakePick>& picks);

// Writes root/foley.lock atomically (a temp file renamed into place).
void write_lock(const std::filesystem::path& root, const std::map<std::string, TakePick>& picks);

}  // namespace foley::manifest
