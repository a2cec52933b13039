#pragma once

#include <filesystem>

namespace foley::cli {

// `foley-gen render SPEC`: renders one cue's delivered file from its raw object
// (or source, or silence), then records the cue's build in the index for
// `foley status` / `foley explain`. Returns the exit code.
int run_render(const std::filesystem::path& spec_path);

}  // namespace foley::cli
