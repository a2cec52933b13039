#pragma once

#include <filesystem>
#include <vector>

#include "plan/planner.h"

namespace foley::plan {

// The delivered files foley has planned, remembered in .foley/outputs (one path
// a line, relative to the project root), so that a build can remove the renders
// it no longer produces: a cue removed or renamed, a format changed. Like
// ninja's `-t cleandead`, but only ever for render outputs: ninja's own log also
// names generate edges, and their outputs are cache objects, which no foley
// tool deletes.

// .foley/outputs of `plan`'s project.
std::filesystem::path output_record_path(const Plan& plan);

// Adds every output of `plan` to the record. Paths already there stay: a plan
// never forgets a file it may have rendered; only remove_dead_outputs does.
void remember_outputs(const Plan& plan);

// Recorded outputs that `plan` no longer produces and that are on disk, inside
// the project's output_dir and outside its cache_dir, sorted.
std::vector<std::filesystem::path> dead_outputs(const Plan& plan);

// Removes each dead output and its sidecar (<output>.json), then rewrites the
// record to `plan`'s outputs. Returns the outputs removed. Throws
// foley::Error::failure when a file cannot be removed.
std::vector<std::filesystem::path> remove_dead_outputs(const Plan& plan);

}  // namespace foley::plan
