#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/cue.h"

namespace foley::manifest {

// Reads root/foley.toml and every manifest_dir/**/*.toml (recursively, sorted
// by name; a manifest's name is its path under manifest_dir without ".toml",
// with '/'), validates everything and returns the project. On any problem
// throws foley::Error (kInput) listing EVERY problem of every file, one per
// line: `file:line:col: cue "id": field "x": message`, file paths relative to
// the root when inside it.
Project load_project(const std::filesystem::path& root);

// One manifest already in memory.
struct ManifestText {
  std::string name;               // "ep1", "s1/ep2"
  std::filesystem::path file;     // absolute path (messages show it relative to root)
  std::string text;
};

// load_project without the directory walk: validates `config_text` as
// root/foley.toml and `manifests` as the project's manifests. Only source
// files and model folders are looked up on disk. Throws like load_project.
Project build_project(const std::filesystem::path& root, std::string_view config_text,
                      const std::vector<ManifestText>& manifests);

// Why `name` cannot be a manifest name, or "" when it can: each '/'-separated
// component uses [A-Za-z0-9_.-] and does not start with '.', so that
// out/<manifest>/<cue>.<format> stays inside the output folder.
std::string manifest_name_problem(std::string_view name);

}  // namespace foley::manifest
