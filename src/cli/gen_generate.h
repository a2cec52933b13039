#pragma once

#include <filesystem>

namespace foley::cli {

// `foley-gen generate SPEC`: reads a request spec, checks its key, and makes
// sure its object exists — generating it through the engine only if it is not
// already in the cache (a generation that was paid for is never paid twice,
// even when ninja's log is lost). Records the object in the index and prints one
// summary line. Returns the exit code.
int run_generate(const std::filesystem::path& spec_path);

}  // namespace foley::cli
