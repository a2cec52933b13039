#include "generate/team_cache.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "audio/audio_reader.h"
#include "common/file_lock.h"
#include "common/log.h"
#include "request/remote_config.h"

namespace foley::generate {
namespace fs = std::filesystem;

namespace {

fs::path lock_path_of(const GenRequest& req) { return req.cache_dir / "locks" / (req.gen_key + ".lock"); }

// Runs work(i) for i in [0, n), `parallel` at a time: transfers wait on the
// network, not on a core.
template <typename Work>
void for_each_parallel(size_t n, int parallel, Work&& work) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i = next++; i < n; i = next++) work(i);
  };
  const size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, parallel)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run);
  if (n > 0) run();
  for (auto& t : pool) t.join();
}

// Fetched bytes whose checksum matches their record are used only when they
// also open as audio: a record can vouch for garbage.
std::string check_decodes(const fs::path& temp_path) {
  try {
    audio::probe_audio(temp_path);
    return "";
  } catch (const std::exception&) {
    return "does not open as audio";
  }
}

}  // namespace

std::unique_ptr<cache::remote::RemoteCache> team_cache_for_call(const nlohmann::json& settings,
                                                                const nlohmann::json& env,
                                                                const fs::path& cache_dir, int64_t build_id) {
  if (settings.is_null()) return nullptr;
  try {
    RemoteConfig config = remote_config_from_json(settings, "the call's team cache settings");
    cache::remote::RemoteCredentials credentials =
        cache::remote::load_remote_credentials(config, [&env](const std::string& name) -> std::string {
          for (const std::string& secret : remote_credential_variables())
            if (name == secret) {
              if (!env.is_object() || !env.contains(name) || !env[name].is_string()) return "";
              return env[name].get<std::string>();
            }
          const char* v = std::getenv(name.c_str());
          return v ? std::string(v) : std::string();
        });
    return std::make_unique<cache::remote::RemoteCache>(std::move(config), std::move(credentials), cache_dir,
                                                        build_id);
  } catch (const std::exception& e) {
    log_warning(std::string("team cache not used: ") + e.what());
    return nullptr;
  }
}

bool fetch_from_team_cache(const GenRequest& req, cache::remote::RemoteCache& remote, cache::Index& index,
                           int64_t build_id) {
  std::optional<cache::ObjectRecord> rec = remote.fetch(req.gen_key, req.ext, req.object_path, check_decodes);
  if (rec) index.record_remote_hits({*rec}, build_id);
  index.add_remote_counters(remote.take_counters());
  return rec.has_value();
}

bool upload_to_team_cache(const GenRequest& req, cache::remote::RemoteCache& remote, cache::Index& index) {
  bool stored = false;
  if (std::optional<cache::ObjectRecord> rec = index.find_object(req.gen_key))
    stored = remote.upload(*rec, req.object_path);
  index.add_remote_counters(remote.take_counters());
  return stored;
}

TeamCacheBatch fetch_all_from_team_cache(const std::vector<const GenRequest*>& requests,
                                         cache::remote::RemoteCache& remote, cache::Index& index, int64_t build_id) {
  std::vector<std::optional<cache::ObjectRecord>> fetched(requests.size());
  for_each_parallel(requests.size(), remote.config().parallel, [&](size_t i) {
    const GenRequest& req = *requests[i];
    std::error_code ec;
    if (remote.disabled() || fs::exists(req.object_path, ec)) return;
    try {
      fs::create_directories(lock_path_of(req).parent_path(), ec);
      FileLock lock(lock_path_of(req), /*wait=*/false);
      if (!lock.valid() || fs::exists(req.object_path, ec)) return;  // another process is on it
      fetched[i] = remote.fetch(req.gen_key, req.ext, req.object_path, check_decodes);
    } catch (const std::exception& e) {
      log_warning("team cache: " + req.gen_key + ": " + e.what());
    }
  });
  TeamCacheBatch batch;
  std::vector<cache::ObjectRecord> records;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!fetched[i]) continue;
    records.push_back(std::move(*fetched[i]));
    batch.keys.push_back(requests[i]->gen_key);
    batch.credits += records.back().credits;
  }
  index.record_remote_hits(records, build_id);
  index.add_remote_counters(remote.take_counters());
  return batch;
}

TeamCacheBatch upload_all_to_team_cache(const std::vector<const GenRequest*>& requests,
                                        cache::remote::RemoteCache& remote, cache::Index& index) {
  TeamCacheBatch batch;
  if (remote.config().read_only()) return batch;
  std::vector<std::optional<cache::ObjectRecord>> records(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    std::error_code ec;
    if (fs::exists(requests[i]->object_path, ec)) records[i] = index.find_object(requests[i]->gen_key);
  }
  std::vector<char> stored(requests.size(), 0);
  for_each_parallel(requests.size(), remote.config().parallel, [&](size_t i) {
    if (!records[i] || remote.disabled()) return;
    try {
      stored[i] = remote.upload(*records[i], requests[i]->object_path) ? 1 : 0;
    } catch (const std::exception& e) {
      log_warning("team cache: " + requests[i]->gen_key + ": " + e.what());
    }
  });
  for (size_t i = 0; i < requests.size(); ++i)
    if (stored[i]) {
      batch.keys.push_back(requests[i]->gen_key);
      batch.credits += records[i]->credits;
    }
  index.add_remote_counters(remote.take_counters());
  return batch;
}

std::set<std::string> team_cache_holds(const std::vector<const GenRequest*>& requests,
                                       cache::remote::RemoteCache& remote) {
  std::vector<char> held(requests.size(), 0);
  for_each_parallel(requests.size(), remote.config().parallel, [&](size_t i) {
    held[i] = remote.holds(requests[i]->gen_key, requests[i]->ext).value_or(false) ? 1 : 0;
  });
  std::set<std::string> out;
  for (size_t i = 0; i < requests.size(); ++i)
    if (held[i]) out.insert(requests[i]->gen_key);
  return out;
}

}  // namespace foley::generate
