#pragma once

#include <filesystem>
#include <string>

namespace foley::cli {

// `foley-gen render SPEC`: renders one cue's delivered file from its raw object
// (or source, or silence), then records the cue's build in the index for
// `foley status` / `foley explain`. Returns the exit code.
// `spec_path` is a standalone JSON spec when `entry` is empty, else a spec pack
// or the directory of packs holding `entry` (request/spec_pack.h).
int run_render(const std::filesystem::path& spec_path, const std::string& entry = {});

}  // namespace foley::cli
