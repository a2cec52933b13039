#include "cli/farm_server_edge.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>

#include "common/error.h"
#include "common/file_lock.h"
#include "common/log.h"
#include "engines/catalog.h"
#include "generate/object_record.h"
#include "ipc/client.h"
#include "ipc/farm_auth.h"
#include "ipc/farm_registry.h"
#include "request/request_spec.h"

namespace foley::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Requests in flight per server before a server takes one more than the others.
constexpr int kClaimRounds = 64;

CancelFlag g_cancel{false};
void cancel_request(int) { g_cancel.store(true); }

long long unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The servers in the order this key tries them: starting at one the key picks,
// so that edges arriving together start at different servers.
std::vector<ipc::FarmServer> in_key_order(std::vector<ipc::FarmServer> servers, const std::string& key) {
  size_t start = std::hash<std::string>{}(key) % servers.size();
  std::rotate(servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(start), servers.end());
  return servers;
}

// A claim on the least loaded server: the first free "<id>.<round>" claim,
// round by round. `index` is where that server is in `servers`.
FileLock claim_server(const fs::path& claims, const std::vector<ipc::FarmServer>& servers, size_t* index) {
  fs::create_directories(claims);
  for (int round = 0; round < kClaimRounds; ++round)
    for (size_t i = 0; i < servers.size(); ++i) {
      FileLock claim(claims / (servers[i].id + "." + std::to_string(round)), /*wait=*/false);
      if (claim.valid()) {
        *index = i;
        return claim;
      }
    }
  *index = 0;
  return FileLock(claims / (servers[0].id + ".0"), /*wait=*/false);
}

}  // namespace

std::optional<cache::PendingRecord> generate_on_farm_server(const json& spec, const std::string& origin) {
  const engines::EngineRow* row = engines::find_engine(spec.value("engine", std::string()));
  if (row == nullptr || !row->model_server) return std::nullopt;
  const GenRequest req = GenRequest::from_json(spec, origin);
  std::vector<ipc::FarmServer> servers = ipc::read_farm_registry(req.cache_dir);
  if (servers.empty()) return std::nullopt;
  const std::string secret = ipc::read_farm_secret(req.cache_dir);
  servers = in_key_order(std::move(servers), req.gen_key);

  // The key's lock, as foley-gen holds it while it generates: two builds never
  // make one object at once. Released before any fallback step, which takes it.
  const fs::path lock_path = req.cache_dir / "locks" / (req.gen_key + ".lock");
  fs::create_directories(lock_path.parent_path());
  FileLock key_lock(lock_path, /*wait=*/true);
  std::error_code ec;
  if (fs::exists(req.object_path, ec)) return std::nullopt;  // made meanwhile: the step finds it, a hit

  struct sigaction on_signal {};
  on_signal.sa_handler = cancel_request;
  sigemptyset(&on_signal.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &on_signal, nullptr);

  size_t first = 0;
  FileLock claim = claim_server(ipc::farm_dir(req.cache_dir) / "claims", servers, &first);
  for (size_t n = 0; n < servers.size(); ++n) {
    const ipc::FarmServer& server = servers[(first + n) % servers.size()];
    ipc::ModelServerClientOptions options;
    options.cache_dir = req.cache_dir;
    options.farm = ipc::FarmEndpoint{server.host, server.port, secret};
    ipc::ModelServerClient client(options);
    const long long started = unix_ms();
    json where = {{"host", server.node}, {"cuda_visible_devices", server.gpus}, {"started_at", started},
                  {"server", server.host + ":" + std::to_string(server.port)}};
    if (!server.job_id.empty()) where["slurm_step"] = server.job_id + "." + server.step_id;
    // `foley status` lists it among the farm's running generations meanwhile.
    cache::FarmRunningMarker running(fs::path(cache::kFarmRunningDir) / (req.gen_key + ".json"),
                                     {{"cues", req.cues}, {"gen_key", req.gen_key}, {"profile", req.profile},
                                      {"where", where}});
    ipc::ServerAttempt attempt = client.generate(req, req.object_path, nullptr, g_cancel);
    const std::string where_text = server.host + ":" + std::to_string(server.port);
    if (attempt.outcome == ipc::ServerAttempt::Outcome::kUnavailable) {
      log_warning("farm server " + server.id + " (" + where_text + "): " + attempt.reason + "; trying the next");
      continue;
    }
    if (attempt.outcome == ipc::ServerAttempt::Outcome::kDied) {
      log_warning("farm server " + server.id + " (" + where_text + ") died during " + req.gen_key + ": " +
                  attempt.reason + "; generating it in a job step of its own");
      return std::nullopt;
    }
    cache::PendingRecord done;
    done.kind = cache::PendingRecord::Kind::kGenerated;
    done.record = generate::generated_object_record(req, attempt.result);
    done.where = where;
    done.where["server_pid"] = attempt.server_pid;
    done.where["finished_at"] = unix_ms();
    char line[512];
    std::snprintf(line, sizeof line, "foley-gen-client: generated %s in %.2f s on farm server %s (%s, CUDA_VISIBLE_DEVICES=%s)\n",
                  req.gen_key.c_str(), attempt.result.generation_seconds, server.id.c_str(), server.node.c_str(),
                  server.gpus.c_str());
    done.summary = line;
    return done;
  }
  log_warning("no farm server answers; generating " + req.gen_key + " in a job step of its own");
  return std::nullopt;
}

}  // namespace foley::cli
