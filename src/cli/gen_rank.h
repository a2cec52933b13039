#pragma once

#include <filesystem>

namespace foley::cli {

// `foley-gen rank --ranking .foley/ranks/<rank key>.json`, what a rank edge
// runs (in the project root): reads the rank spec of that key from
// .foley/rankings, opens the CLAP scorer it names and ranks the cue's takes
// (generate/rank_takes.h). Returns the exit code.
int run_rank(const std::filesystem::path& ranking);

}  // namespace foley::cli
