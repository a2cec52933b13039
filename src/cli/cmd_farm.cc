// `foley farm up|down|status`: the farm's resident servers, one long-lived job
// step per GPU of the allocation, each keeping its models loaded and taking the
// farmed generate edges over TCP (docs/farm.md).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"
#include "common/subprocess.h"
#include "ipc/client.h"
#include "ipc/farm_auth.h"
#include "ipc/farm_registry.h"
#include "ipc/launcher.h"
#include "manifest/config_parser.h"
#include "plan/farm.h"

namespace foley::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct FarmOptions {
  int servers = 0;              // 0: the farm's slots
  std::string bind = "0.0.0.0";
  double up_timeout_seconds = 120;   // for the servers to listen
  double down_timeout_seconds = 30;  // for each to stop before its step is cancelled
  bool json = false;
};

manifest::ProjectConfig config_of(const fs::path& root) {
  manifest::Diagnostics diags;
  manifest::ProjectConfig config = manifest::parse_config(root, read_file(root / "foley.toml"), diags).config;
  diags.throw_if_any();
  return config;
}

ipc::ModelServerClient client_for(const fs::path& cache, const ipc::FarmServer& s, const std::string& secret) {
  ipc::ModelServerClientOptions options;
  options.cache_dir = cache;
  options.farm = ipc::FarmEndpoint{s.host, s.port, secret};
  return ipc::ModelServerClient(options);
}

// The server's status, or nullopt when it does not answer.
std::optional<json> status_of(const fs::path& cache, const ipc::FarmServer& s, const std::string& secret) {
  try {
    return client_for(cache, s, secret).status();
  } catch (const Error& e) {
    log_warning("farm server " + s.id + ": " + e.what());
    return std::nullopt;
  }
}

std::string describe(const ipc::FarmServer& s) {
  return s.id + " on " + s.host + ":" + std::to_string(s.port) + " (node " + s.node + ", pid " +
         std::to_string(s.pid) + ", CUDA_VISIBLE_DEVICES=" + s.gpus + ")";
}

int farm_up(const fs::path& root, const FarmOptions& o) {
  const manifest::ProjectConfig config = config_of(root);
  std::optional<plan::Farm> farm = plan::resolve_farm(config);
  if (!farm)
    throw Error(root.string() + "/foley.toml: no farm to start servers on: add a [farm] table with a launcher "
                "(or set FOLEY_FARM_LAUNCHER), and run inside an allocation");
  const fs::path cache = fs::absolute(config.cache_dir);
  const int count = o.servers > 0 ? o.servers : farm->slots;
  const std::string secret = ipc::ensure_farm_secret(cache);

  // Entries left by servers that were killed are dropped; a live farm is not doubled.
  int live = 0;
  for (const ipc::FarmServer& s : ipc::read_farm_registry(cache)) {
    if (status_of(cache, s, secret)) ++live;
    else ipc::unregister_farm_server(cache, s.id);
  }
  if (live > 0)
    throw Error("a farm is already up for " + cache.string() + " (" + std::to_string(live) +
                " server(s)): `foley farm status` lists them, `foley farm down` stops them");

  // The servers run on compute nodes: no API key or other secret travels with
  // their steps (the farm's own secret is a file they read).
  ipc::unset_secret_variables();
  const fs::path logs = ipc::farm_dir(cache) / "logs";
  fs::create_directories(logs);
  const std::string foley_gen = locate_tools().foley_gen.string();
  for (int i = 0; i < count; ++i) {
    std::vector<std::string> argv = farm->launcher;
    argv.insert(argv.end(), {foley_gen, "serve", "--cache", cache.string(), "--tcp", o.bind + ":0"});
    ipc::spawn_detached(argv, logs / ("server-" + std::to_string(i) + ".log"));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.up_timeout_seconds);
  std::vector<ipc::FarmServer> up;
  while ((up = ipc::read_farm_registry(cache)).size() < static_cast<size_t>(count) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (const ipc::FarmServer& s : up) std::printf("farm server %s\n", describe(s).c_str());
  if (up.size() < static_cast<size_t>(count)) {
    log_error(std::to_string(up.size()) + " of " + std::to_string(count) + " farm servers registered within " +
              std::to_string(static_cast<int>(o.up_timeout_seconds)) + " s; their logs: " + logs.string() +
              " (`foley farm down` stops those that started)");
    return 1;
  }
  std::printf("%d farm server(s) up; `foley build` sends the farmed AudioLDM 2 edges to them\n", count);
  return 0;
}

int farm_down(const fs::path& root, const FarmOptions& o) {
  const fs::path cache = fs::absolute(config_of(root).cache_dir);
  const std::vector<ipc::FarmServer> servers = ipc::read_farm_registry(cache);
  std::optional<std::string> secret;
  try {
    secret = ipc::read_farm_secret(cache);
  } catch (const Error& e) {
    if (!servers.empty()) log_warning(e.what());
  }
  for (const ipc::FarmServer& s : servers) {
    bool asked = false;
    if (secret) try {
        asked = client_for(cache, s, *secret).stop();
      } catch (const Error& e) {
        log_warning("farm server " + s.id + ": " + e.what());
      }
    // It removes its own entry as it exits; one that does not answer in time
    // has its job step cancelled.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(asked ? o.down_timeout_seconds : 0);
    auto registered = [&] {
      for (const ipc::FarmServer& r : ipc::read_farm_registry(cache))
        if (r.id == s.id) return true;
      return false;
    };
    while (registered() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (registered() && !s.job_id.empty() && !s.step_id.empty()) {
      log_warning("farm server " + s.id + " did not stop: cancelling its job step");
      run_subprocess({"scancel", s.job_id + "." + s.step_id}, /*capture=*/true);
    }
    ipc::unregister_farm_server(cache, s.id);
    std::printf("stopped farm server %s\n", describe(s).c_str());
  }
  std::error_code ec;
  fs::remove_all(ipc::farm_registry_dir(cache), ec);
  fs::remove_all(ipc::farm_dir(cache) / "claims", ec);
  // The next farm gets a secret of its own.
  fs::remove(ipc::farm_secret_path(cache), ec);
  if (servers.empty()) std::printf("no farm server is registered for %s\n", cache.string().c_str());
  return 0;
}

int farm_status(const fs::path& root, const FarmOptions& o) {
  const fs::path cache = fs::absolute(config_of(root).cache_dir);
  const std::vector<ipc::FarmServer> servers = ipc::read_farm_registry(cache);
  std::string secret;
  if (!servers.empty()) secret = ipc::read_farm_secret(cache);
  json all = json::array();
  for (const ipc::FarmServer& s : servers) {
    std::optional<json> status = status_of(cache, s, secret);
    json entry = {{"id", s.id},         {"host", s.host},       {"port", s.port},
                  {"node", s.node},     {"pid", s.pid},         {"cuda_visible_devices", s.gpus},
                  {"answers", status.has_value()}};
    if (status) entry["status"] = *status;
    all.push_back(entry);
    if (o.json) continue;
    if (!status) {
      std::printf("farm server %s: not answering\n", describe(s).c_str());
      continue;
    }
    const json batches = status->value("batches", json::object());
    std::printf("farm server %s: %lld served, %lld failed, %lld queued; %lld batches, largest %lld\n",
                describe(s).c_str(), status->value("served", 0LL), status->value("failed", 0LL),
                status->value("queued", 0LL), batches.value("count", 0LL), batches.value("largest", 0LL));
  }
  if (o.json) std::printf("%s\n", json({{"servers", all}}).dump(2).c_str());
  else if (servers.empty()) std::printf("no farm server is registered for %s\n", cache.string().c_str());
  return 0;
}

}  // namespace

void register_farm(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("farm", "Start, stop or list the farm's resident model servers (one per GPU)");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<FarmOptions>();
  auto* up = cmd->add_subcommand("up", "Start one resident `foley-gen serve` per GPU of the allocation, as job steps");
  up->add_option("-n,--servers", opts->servers, "How many (default: the farm's slots)")->check(CLI::Range(1, 4096));
  up->add_option("--bind", opts->bind, "The address they listen on (default 0.0.0.0: every interface)");
  up->add_option("--timeout", opts->up_timeout_seconds, "Seconds to wait for them to listen (default 120)");
  up->callback([&g, opts, &exit_code] { exit_code = farm_up(g.root(), *opts); });
  auto* down = cmd->add_subcommand("down", "Stop the farm's servers and remove its registry and secret");
  down->add_option("--timeout", opts->down_timeout_seconds,
                    "Seconds each may take to stop before its step is cancelled (default 30)");
  down->callback([&g, opts, &exit_code] { exit_code = farm_down(g.root(), *opts); });
  auto* status = cmd->add_subcommand("status", "List the farm's servers: where, which GPU, requests and batches");
  status->add_flag("--json", opts->json, "Print them as JSON");
  status->callback([&g, opts, &exit_code] { exit_code = farm_status(g.root(), *opts); });
}

}  // namespace foley::cli
