#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "engines/audioldm2/audioldm2_generator.h"
#include "server/farm_listener.h"
#include "server/jobs.h"
#include "ipc/paths.h"

namespace foley::server {

using CallHandler = std::function<nlohmann::json(const nlohmann::json&, const std::function<bool()>&)>;

struct ModelServerOptions {
  std::filesystem::path cache_dir;
  double idle_timeout_seconds = 600.0;  // exit after this long with no request; a request may change it
  size_t max_models = 2;                // loaded generators kept at once
  BatchingOptions batching;             // how queued requests are grouped into one UNet batch
  // Answers {"op": "call" | "prefetch", ...}: API work run to the end on its
  // connection's thread, beside the model jobs (server/api_calls.h); its second
  // argument tells whether the client has hung up. Empty: refused.
  CallHandler call_handler;
  // Set: a farm's server (`foley farm up`): listens on TCP, where every
  // connection must prove it knows the farm's secret (ipc/farm_auth.h), read
  // from <cache>/farm/secret; registers itself in <cache>/farm/servers while
  // it listens; never exits for idleness (`foley farm down` stops it); takes
  // no API calls. No Unix socket and no lock in <cache>/server: those lie on
  // the shared file system, where every node's server would find them.
  std::optional<FarmListen> farm;
};

// The resident model server of one cache directory (`foley-gen serve`): keeps
// models loaded between requests, one request per connection (protocol in
// ipc/protocol.h), jobs run on one worker, compatible ones batched
// (JobRunner).
//
// At most one server runs per cache directory: it holds an exclusive flock on
// <dir>/server.lock for its whole life (released by the kernel if it is
// killed), so a second one exits at once and a socket left by a dead one is
// known to be stale and replaced.
class ModelServer {
 public:
  ModelServer(ModelServerOptions options, engines::GeneratorLoader loader);

  // Binds, writes the pid file, serves until idle, stopped, or SIGINT/SIGTERM
  // (when `handle_signals`). Returns the process exit code: 0, or 0 with a
  // note on stderr when another server already runs. Throws foley::Error when
  // the socket cannot be set up.
  int run(bool handle_signals = true);

  // Makes run() return soon (any thread).
  void request_stop() { stop_.store(true); }
  bool stop_requested() const { return stop_.load(); }

 private:
  ModelServerOptions options_;
  engines::GeneratorLoader loader_;
  ipc::ServerPaths paths_;
  std::atomic<bool> stop_{false};
};

// The server's batching defaults from the environment it was started in:
// FOLEY_SERVER_MAX_BATCH (integer >= 1), FOLEY_SERVER_BATCH_WINDOW (seconds),
// FOLEY_SERVER_MEMORY_BUDGET (MiB); unset or malformed ones keep `base`'s.
BatchingOptions batching_from_environment(BatchingOptions base = {});

// `foley-gen serve --cache DIR [--idle-timeout S] [--tcp HOST:PORT]` with the
// real pipeline. API calls are answered by serve_api_call
// (server/api_calls.h), except on a farm's server.
int run_model_server(const std::filesystem::path& cache_dir, double idle_timeout_seconds,
                     std::optional<FarmListen> farm = std::nullopt);

}  // namespace foley::server
