#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/engine.h"
#include "cache/index.h"
#include "common/request_spec.h"

namespace foley::cli {

// How a generation is run: the build it belongs to (FOLEY_BUILD_ID) and the
// engine for a request's engine name (null: backends::make_engine).
struct GenerateContext {
  int64_t build_id = 0;
  cache::Index* index = nullptr;  // an open index of the request's cache; null: open one when needed
  std::function<std::unique_ptr<backends::Engine>(const std::string&)> make_engine;

  // The resident server's hooks (cli/api_calls.h); empty in foley-gen.
  // Called with the key's lock held: a summary line a prefetch of this build
  // left for the key (it made the object, so it is no hit).
  std::function<std::optional<std::string>()> take_prefetched;
  // Called with the summary line of a generation, the key's lock still held.
  std::function<void(const std::string&)> on_generated;
  // false: an object found already there is skipped silently (a prefetch
  // that a client beat to it), not counted as a hit. Returns "" then.
  bool record_hit = true;
};

// The heart of `foley-gen generate`: checks the request against its key, takes
// the key's lock, and returns at once when the object is cached (counting a
// hit); else runs the engine and records the object. Returns the summary line.
std::string generate_request(const GenRequest& req, const std::string& origin, const GenerateContext& ctx);

// `foley-gen generate SPEC`: reads a request spec, checks its key, and makes
// sure its object exists — generating it through the engine only if it is not
// already in the cache (a generation that was paid for is never paid twice,
// even when ninja's log is lost). Records the object in the index and prints one
// summary line. Returns the exit code.
// `spec_path` is a standalone JSON spec when `entry` is empty, else a spec
// pack or the directory of packs holding `entry` (common/spec_pack.h).
int run_generate(const std::filesystem::path& spec_path, const std::string& entry = {});

// `foley-gen generate --object OBJECT`, what ninja runs: the gen key is the
// object's file name, its spec in the packs of .foley/requests (the working
// directory is the project root, where ninja runs).
int run_generate_object(const std::filesystem::path& object);

}  // namespace foley::cli
