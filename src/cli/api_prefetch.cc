#include "cli/api_prefetch.h"

#include <map>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "engines/catalog.h"
#include "ipc/client.h"
#include "ipc/connect.h"
#include "plan/gen_fields.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

std::vector<ipc::UniqueFd> start_api_prefetch(const plan::Plan& plan, const plan::Tools& tools,
                                                   int64_t build_id) {
  std::vector<ipc::UniqueFd> open;
  if (tools.foley_gen_client.empty() || ipc::api_server_disabled()) return open;
  // Stale generations per API profile, in key order: the order of the edges in
  // build.ninja, which is the order ninja starts them in.
  std::map<std::string, std::vector<ipc::ApiCall>> calls;
  for (const auto& [key, req] : plan.generations) {
    if (!engines::engine_row(req.engine).via_server) continue;
    std::error_code ec;
    if (fs::exists(req.object_path, ec)) continue;
    calls[req.profile].push_back({req.spec_text(), spec_origin(plan.requests_dir() / spec_pack_name(key), key)});
  }
  if (calls.empty()) return open;
  const fs::path cache_dir = plan.project.config.cache_dir;
  ipc::ModelServerClientOptions options;
  options.cache_dir = cache_dir;
  options.launch = [cache_dir](const ipc::ServerPaths& p) { ipc::launch_server_without_secrets(p, cache_dir); };
  ipc::ModelServerClient client(options);
  for (const auto& [profile_name, list] : calls) {
    const int depth = plan::profile_pool(plan.project.config.engines.at(profile_name)).depth;
    std::string reason;
    ipc::UniqueFd fd = client.prefetch(profile_name, depth, list, build_id, &reason);
    if (!fd.valid()) {
      log_verbose("no prefetch of " + profile_name + " calls: " + (reason.empty() ? "the server hung up" : reason));
      continue;
    }
    open.push_back(std::move(fd));
  }
  return open;
}

}  // namespace foley::cli
