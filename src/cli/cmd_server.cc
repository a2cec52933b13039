// `foley server status|stop`: the resident AudioLDM 2 model server of the
// project's cache directory (started on demand by foley-gen).
#include <CLI/CLI.hpp>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "ipc/client.h"
#include "cli/commands.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "manifest/config_parser.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

struct ServerOptions {
  fs::path cache;  // overrides the project's cache directory
  bool json = false;
};

// The project's cache directory, from foley.toml alone (manifests may be broken).
fs::path cache_dir_of(const fs::path& dir, const ServerOptions& o) {
  if (!o.cache.empty()) return fs::absolute(o.cache);
  fs::path root = fs::absolute(dir).lexically_normal();
  manifest::Diagnostics diags;
  manifest::ProjectConfig config = manifest::parse_config(root, read_file(root / "foley.toml"), diags).config;
  diags.throw_if_any();
  return config.cache_dir;
}

ipc::ModelServerClient client_for(const fs::path& cache) {
  ipc::ModelServerClientOptions options;
  options.cache_dir = cache;
  return ipc::ModelServerClient(options);
}

int server_status(const fs::path& dir, const ServerOptions& o) {
  fs::path cache = cache_dir_of(dir, o);
  auto status = client_for(cache).status();
  if (o.json) {
    std::printf("%s\n", (status ? *status : nlohmann::json{{"running", false}}).dump(2).c_str());
    return 0;
  }
  if (!status) {
    std::printf("no resident server is running for %s\n", cache.string().c_str());
    return 0;
  }
  const auto& s = *status;
  std::printf("resident server pid %lld for %s\n", s.value("pid", 0LL), cache.string().c_str());
  std::printf("  socket        %s\n", s.value("socket", std::string()).c_str());
  std::printf("  uptime        %.0f s, idle %.0f s (exits after %.0f s idle)\n", s.value("uptime_seconds", 0.0),
              s.value("idle_seconds", 0.0), s.value("idle_timeout", 0.0));
  std::printf("  requests      %lld served, %lld failed, %lld queued%s\n", s.value("served", 0LL),
              s.value("failed", 0LL), s.value("queued", 0LL), s.value("running", false) ? ", one running" : "");
  const auto& models = s.contains("models") ? s["models"] : nlohmann::json::array();
  std::printf("  api calls     %lld answered, %lld failed (foley-gen-client); %lld made ahead for `foley build`, "
              "%lld failed\n",
              s.value("calls_served", 0LL), s.value("calls_failed", 0LL), s.value("prefetched", 0LL),
              s.value("prefetch_failed", 0LL));
  if (models.empty()) std::printf("  models        none loaded\n");
  for (const auto& m : models)
    std::printf("  model         %s (%s, %s)\n", m.value("model", std::string()).c_str(),
                m.value("fingerprint", std::string()).substr(0, 12).c_str(), m.value("device", std::string()).c_str());
  return 0;
}

// Whether `pid` still runs: a zombie (exited, not yet reaped by init, which
// may take seconds in a container) counts as gone.
bool running(long long pid) {
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

int server_stop(const fs::path& dir, const ServerOptions& o) {
  fs::path cache = cache_dir_of(dir, o);
  auto client = client_for(cache);
  auto status = client.status();
  if (!status || !client.stop()) {
    std::printf("no resident server is running for %s\n", cache.string().c_str());
    return 0;
  }
  long long pid = status->value("pid", 0LL);
  // It cancels what it runs (its clients finish in-process) and exits.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (running(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running(pid))
    throw Error::failure("resident server pid " + std::to_string(pid) + " did not exit within 30 s");
  std::printf("stopped resident server pid %lld\n", pid);
  return 0;
}

}  // namespace

void register_server(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("server", "Inspect or stop the resident server of this project (loaded models, API calls)");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<ServerOptions>();
  auto* status = cmd->add_subcommand("status", "Show whether the resident server runs, its models, requests and API calls");
  status->add_option("--cache", opts->cache, "Cache directory (default: the project's)");
  status->add_flag("--json", opts->json, "Print the status as JSON");
  status->callback([&g, opts, &exit_code] { exit_code = server_status(g.root(), *opts); });
  auto* stop = cmd->add_subcommand("stop", "Stop the resident server (its running requests finish in-process)");
  stop->add_option("--cache", opts->cache, "Cache directory (default: the project's)");
  stop->callback([&g, opts, &exit_code] { exit_code = server_stop(g.root(), *opts); });
}

}  // namespace foley::cli
