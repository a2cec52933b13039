#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/index.h"
#include "cache/remote/remote_cache.h"
#include "request/request_spec.h"

// The generate step's side of the team cache (cache/remote/): a stale key is
// looked up before it is generated, and a local generation is uploaded after.
namespace foley::generate {

// Fetches `req`'s object from the remote into the local store and records it
// in `index` as a remote hit with the remote's provenance. The caller holds
// the key's lock and found the object absent. True when the object is now here.
bool fetch_from_team_cache(const GenRequest& req, cache::remote::RemoteCache& remote, cache::Index& index,
                           int64_t build_id);

// Uploads the local object of `req` with its index record (read-write mode
// only). Never throws for the remote's sake. True when it was stored.
bool upload_to_team_cache(const GenRequest& req, cache::remote::RemoteCache& remote, cache::Index& index);

// The team cache of one call to the resident server: `settings` as
// remote_config_to_json writes them, the credentials from `env` (the caller's
// values of remote_credential_variables(); HOME from this process). Null,
// with a warning, when they cannot be used; null when `settings` is null.
std::unique_ptr<cache::remote::RemoteCache> team_cache_for_call(const nlohmann::json& settings,
                                                                const nlohmann::json& env,
                                                                const std::filesystem::path& cache_dir,
                                                                int64_t build_id);

// What a batch did: keys fetched (or uploaded) and the credits the fetched ones saved.
struct TeamCacheBatch {
  std::vector<std::string> keys;
  double credits = 0.0;
};

// Every request of `requests` whose object is absent, fetched from the remote
// `remote.config().parallel` at a time (each under its key's lock, skipped
// when another process holds it), then recorded in `index` as remote hits
// for `build_id`. The remote's counters are added to the index.
TeamCacheBatch fetch_all_from_team_cache(const std::vector<const GenRequest*>& requests,
                                         cache::remote::RemoteCache& remote, cache::Index& index, int64_t build_id);

// Every request of `requests` whose object is present and known to `index`,
// uploaded unless the remote holds it, `parallel` at a time; counters added.
TeamCacheBatch upload_all_to_team_cache(const std::vector<const GenRequest*>& requests,
                                        cache::remote::RemoteCache& remote, cache::Index& index);

// The keys of `requests` the remote holds (HEAD only), `parallel` at a time.
std::set<std::string> team_cache_holds(const std::vector<const GenRequest*>& requests,
                                       cache::remote::RemoteCache& remote);

}  // namespace foley::generate
