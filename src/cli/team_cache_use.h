#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cache/index.h"
#include "cache/remote/remote_cache.h"
#include "plan/planner.h"
#include "request/remote_config.h"

// How the foley commands use the team cache (cache/remote/, generate/team_cache.h).
namespace foley::cli {

// The team cache of a command (throws foley::Error when a named key file
// cannot be read: a configuration error).
std::unique_ptr<cache::remote::RemoteCache> open_team_cache(const RemoteConfig& config,
                                                            const std::filesystem::path& cache_dir, int64_t build_id);

// Removes the marks of builds that turned the remote off and are over
// (finished, or started more than a day before `build_id`), `build_id`'s own
// included when `build_ends`.
void remove_stale_off_marks(const std::filesystem::path& cache_dir, cache::Index& index, int64_t build_id,
                            bool build_ends);

// The generations of `cues` (each once) whose objects are absent.
std::vector<const GenRequest*> absent_generations(const plan::Plan& plan,
                                                  const std::vector<const plan::PlannedCue*>& cues);

// Fetches every one of `requests` the remote holds, in parallel, records them
// as remote hits of `build_id` and says so; returns the keys fetched.
std::set<std::string> fetch_for_build(const std::vector<const GenRequest*>& requests,
                                      cache::remote::RemoteCache& remote, cache::Index& index, int64_t build_id);

// Uploads every one of `requests` whose object is now present (read-write
// mode), in parallel, and says how many were stored.
void upload_for_build(const std::vector<const GenRequest*>& requests, cache::remote::RemoteCache& remote,
                      cache::Index& index);

}  // namespace foley::cli
