#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cache/index.h"
#include "cache/remote/remote_cache.h"
#include "engines/engine.h"
#include "request/request_spec.h"

namespace foley::generate {

// How a generation is run: the build it belongs to (FOLEY_BUILD_ID) and the
// engine for a request's engine name (null: engines::make_engine).
struct GenerateContext {
  int64_t build_id = 0;
  cache::Index* index = nullptr;  // an open index of the request's cache; null: open one when needed
  std::function<std::unique_ptr<engines::Engine>(const std::string&)> make_engine;

  // The resident server's hooks (server/api_calls.h); empty in foley-gen.
  // Called with the key's lock held: a summary line a prefetch of this build
  // left for the key (it made the object, so it is no hit).
  std::function<std::optional<std::string>()> take_prefetched;
  // Called with the summary line of a generation, the key's lock still held.
  std::function<void(const std::string&)> on_generated;
  // Called when the generation fails, the key's lock still held, so that a
  // caller waiting on the lock for the same key finds the failure recorded
  // (and does not send the request again).
  std::function<void(const std::exception&)> on_failed;
  // false: an object found already there is skipped silently (a prefetch
  // that a client beat to it), not counted as a hit. Returns "" then.
  bool record_hit = true;
  // A key whose paid answer came back unusable (cache/kept_answers.h) is
  // refused, sending nothing, unless this is set (`foley build
  // --retry-unusable`, FOLEY_RETRY_UNUSABLE=1).
  bool retry_unusable = false;
  // The team cache (generate/team_cache.h): a stale key is fetched from it
  // before the engine runs, and a generated object uploaded to it after
  // (read-write mode). Null: none. `foley build` does both itself, for the
  // whole build at once, and leaves it null for its edges.
  cache::remote::RemoteCache* remote = nullptr;
  // Handed to the engine: how far the generation is (denoising steps, bytes
  // received). Empty: the engine reports to no one.
  ProgressFn progress;
  // Set on a farm's compute node: the index (SQLite, one host only) is never
  // opened; the outcome is left in a pending record in this folder
  // (cache/pending_record.h), which the submit host records.
  std::filesystem::path pending_dir;
};

// The heart of `foley-gen generate`: checks the request against its key, takes
// the key's lock, and returns at once when the object is cached (counting a
// hit when no build id says `foley build` counted it); else runs the engine
// and records the object. Returns the summary line. A paid answer the engine
// cannot use is kept in quarantine and recorded in the ledger with its cost;
// the error then says so, and where the bytes are.
std::string generate_request(const GenRequest& req, const std::string& origin, const GenerateContext& ctx);

}  // namespace foley::generate
