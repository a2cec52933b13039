#include "cli/team_cache_use.h"

#include <cstdio>
#include <optional>

#include "common/log.h"
#include "generate/team_cache.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

std::string credits_text(double credits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", credits);
  return text;
}

}  // namespace

std::unique_ptr<cache::remote::RemoteCache> open_team_cache(const RemoteConfig& config, const fs::path& cache_dir,
                                                            int64_t build_id) {
  return std::make_unique<cache::remote::RemoteCache>(config, cache_dir, build_id);
}

void remove_stale_off_marks(const fs::path& cache_dir, cache::Index& index, int64_t build_id, bool build_ends) {
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  std::optional<cache::BuildStats> self = index.find_build(build_id);
  const int64_t now_ms = self ? self->started_at : 0;
  cache::remote::RemoteCache::remove_off_marks(cache_dir, [&](int64_t id) {
    if (id == build_id) return !build_ends;
    std::optional<cache::BuildStats> b = index.find_build(id);
    // A build killed before it finished never says so: a day is long enough.
    return b && b->finished_at == 0 && now_ms - b->started_at < kDayMs;
  });
}

std::vector<const GenRequest*> absent_generations(const plan::Plan& plan,
                                                  const std::vector<const plan::PlannedCue*>& cues) {
  std::vector<const GenRequest*> out;
  std::set<std::string> seen;
  for (const plan::PlannedCue* c : cues) {
    if (c->gen_key.empty() || !c->unavailable.empty() || !seen.insert(c->gen_key).second) continue;
    const GenRequest& req = plan.generations.at(c->gen_key);
    std::error_code ec;
    if (!fs::exists(req.object_path, ec)) out.push_back(&req);
  }
  return out;
}

std::set<std::string> fetch_for_build(const std::vector<const GenRequest*>& requests,
                                      cache::remote::RemoteCache& remote, cache::Index& index, int64_t build_id) {
  if (requests.empty()) return {};
  generate::TeamCacheBatch batch = generate::fetch_all_from_team_cache(requests, remote, index, build_id);
  if (!batch.keys.empty())
    log_info("team cache: fetched " + std::to_string(batch.keys.size()) + " of " + std::to_string(requests.size()) +
             " missing object(s) from " + remote.url() + " (" + credits_text(batch.credits) + " credits saved)");
  return {batch.keys.begin(), batch.keys.end()};
}

void upload_for_build(const std::vector<const GenRequest*>& requests, cache::remote::RemoteCache& remote,
                      cache::Index& index) {
  if (requests.empty() || remote.config().read_only()) return;
  generate::TeamCacheBatch batch = generate::upload_all_to_team_cache(requests, remote, index);
  if (!batch.keys.empty())
    log_info("team cache: uploaded " + std::to_string(batch.keys.size()) + " new object(s) to " + remote.url());
}

}  // namespace foley::cli
