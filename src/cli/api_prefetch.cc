#include "cli/api_prefetch.h"

#include <cstdlib>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/log.h"
#include "engines/catalog.h"
#include "generate/generate_request.h"
#include "ipc/connect.h"
#include "ipc/paths.h"
#include "plan/gen_fields.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<ipc::UniqueFd> start_api_prefetch(const plan::Plan& plan, const plan::Tools& tools,
                                                   int64_t build_id) {
  std::vector<ipc::UniqueFd> open;
  if (tools.foley_gen_client.empty() || ipc::api_server_disabled()) return open;
  // Stale generations per API profile, in key order: the order of the edges in
  // build.ninja, which is the order ninja starts them in.
  std::map<std::string, json> calls;
  for (const auto& [key, req] : plan.generations) {
    if (!engines::engine_row(req.engine).via_server) continue;
    std::error_code ec;
    if (fs::exists(req.object_path, ec)) continue;
    calls[req.profile].push_back({{"spec", req.spec_text()},
                                  {"origin", spec_origin(plan.requests_dir() / spec_pack_name(key), key)}});
  }
  if (calls.empty()) return open;
  const fs::path cache_dir = plan.project.config.cache_dir;
  const ipc::ServerPaths paths = ipc::server_paths(cache_dir);
  const char* env_key = std::getenv("ELEVENLABS_API_KEY");
  for (auto& [profile_name, list] : calls) {
    const int depth = plan::profile_pool(plan.project.config.engines.at(profile_name)).depth;
    json msg = {{"op", "prefetch"},     {"pool", profile_name}, {"depth", depth},
                {"calls", std::move(list)}, {"build_id", build_id},
                {"env_key", env_key ? json(env_key) : json(nullptr)},
                {"retry_unusable", generate::retry_unusable_from_env()}};
    std::string reason;
    ipc::UniqueFd fd = ipc::connect_or_start_server(
        paths, [&](const ipc::ServerPaths& p) { ipc::launch_server_without_secrets(p, cache_dir); }, 10.0,
        &reason);
    if (!fd.valid() || !ipc::send_all(fd.get(), msg.dump() + "\n")) {
      log_verbose("no prefetch of " + profile_name + " calls: " + (reason.empty() ? "the server hung up" : reason));
      continue;
    }
    ipc::LineReader reader(fd.get());
    std::string line;
    if (reader.read_line(line, 10000) != ipc::LineReader::Status::kLine ||
        line.find("\"accepted\"") == std::string::npos) {
      log_verbose("no prefetch of " + profile_name + " calls: the resident server did not accept them");
      continue;
    }
    open.push_back(std::move(fd));
  }
  return open;
}

}  // namespace foley::cli
