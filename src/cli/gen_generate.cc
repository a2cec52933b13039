#include "cli/gen_generate.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/progress_channel.h"
#include "cache/pending_record.h"
#include "generate/generate_request.h"
#include "request/remote_config.h"
#include "request/object_link.h"
#include "request/retry_unusable.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

int64_t build_id_from_env() {
  const char* v = std::getenv("FOLEY_BUILD_ID");
  return v ? std::atoll(v) : 0;
}

GenRequest read_request(const fs::path& spec_path, const std::string& entry) {
  return GenRequest::from_json(nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false),
                               spec_origin(spec_path, entry));
}

// The team cache `foley plan` configured for the project ninja runs in,
// unless `foley build` deals with it for the whole build (it fetched every
// hit before ninja and uploads every new object after).
std::unique_ptr<cache::remote::RemoteCache> team_cache(const GenRequest& req, int64_t build_id) {
  if (const char* v = std::getenv(kRemoteByBuildVariable); v != nullptr && v[0] != '\0') return nullptr;
  try {
    std::optional<RemoteConfig> config = read_remote_config(fs::current_path());
    if (!config) return nullptr;
    return std::make_unique<cache::remote::RemoteCache>(*config, req.cache_dir, build_id);
  } catch (const std::exception& e) {
    log_warning(std::string("team cache not used: ") + e.what());
    return nullptr;
  }
}

// Under `foley build`, tells its display which cues run and how far they are.
ProgressEvent progress_identity(const GenRequest& req) {
  ProgressEvent e;
  e.key = req.gen_key;
  e.cues = cue_names(req.cues);
  e.engine = req.engine;
  e.profile = req.profile;
  return e;
}

int generate(const GenRequest& req, const std::string& origin, bool farm_node = false) {
  generate::GenerateContext ctx;
  if (farm_node) {
    ctx.pending_dir = cache::kPendingRecordsDir;
    // No resident server on a node: the cache's server files (Unix socket,
    // flock) lie on the shared file system, where another node's server would
    // be found and not reached. The model runs in this step, on its GPU.
    ::setenv("FOLEY_SERVER", "0", 1);
  }
  ctx.build_id = build_id_from_env();
  ctx.retry_unusable = retry_unusable_from_env();
  // A farm node never opens the index; `foley build` fetches and uploads the
  // team cache's objects for the whole build on the submit host.
  std::unique_ptr<cache::remote::RemoteCache> remote = farm_node ? nullptr : team_cache(req, ctx.build_id);
  ctx.remote = remote.get();
  ProgressReporter reports(progress_identity(req));
  if (reports.active())
    ctx.progress = [&reports](double fraction, const std::string& what) { reports.progress(fraction, what); };
  std::string line = generate::generate_request(req, origin, ctx);
  std::fputs(line.c_str(), stdout);
  return 0;
}

}  // namespace

int run_generate_object(const fs::path& object, bool farm_node) {
  const std::string key = object_gen_key(object);
  GenRequest req = read_request(kRequestPacksDir, key);
  int rc = generate(req, spec_origin(kRequestPacksDir, key), farm_node);
  // On a farm node the link is the submit host's, made once it has recorded the object.
  if (farm_node) return rc;
  // ninja names the object's link (request/object_link.h); a hand-run
  // command may name the object itself.
  if (rc == 0 && fs::absolute(object).lexically_normal() != fs::absolute(req.object_path).lexically_normal())
    link_object(fs::current_path(), object, req.object_path);
  return rc;
}

int run_generate(const fs::path& spec_path, const std::string& entry) {
  return generate(read_request(spec_path, entry), spec_origin(spec_path, entry));
}

}  // namespace foley::cli
