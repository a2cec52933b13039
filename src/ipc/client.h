#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "request/request_spec.h"
#include "request/result.h"
#include "ipc/paths.h"
#include "ipc/connect.h"
#include "ipc/socket.h"

namespace foley::ipc {


struct ModelServerClientOptions {
  std::filesystem::path cache_dir;
  ServerLauncher launch;                // empty: never start one (status/stop)
  double start_timeout_seconds = 10.0;  // how long a started server may take to listen
  double idle_timeout_seconds = 600.0;  // sent with each request
};

// How a request through the server ended, when it did not throw.
struct ServerAttempt {
  enum class Outcome { kDone, kUnavailable, kDied };
  Outcome outcome = Outcome::kUnavailable;
  GenerationResult result;  // kDone
  long long server_pid = 0;  // the server that ran it (kDone, kDied)
  std::string reason;       // kUnavailable / kDied: for the user, e.g. "connection closed by server pid 12"
};

// The client side of the resident model server of one cache directory.
class ModelServerClient {
 public:
  explicit ModelServerClient(ModelServerClientOptions options);

  // A connection to the running server, starting one when none answers:
  // under <dir>/start.lock, so of many clients arriving at once exactly one
  // starts it and the others connect to it. A socket left by a killed server
  // is removed and replaced. Invalid (with *reason) when no server can be had.
  UniqueFd connect_or_start(std::string* reason);

  // Runs `request` on the server, which writes `out_path` atomically.
  // Progress lines are passed to `progress`. When `cancel` becomes true the
  // connection is closed (the server stops between steps) and
  // GenerationCancelled is thrown. Errors the server reports (bad request,
  // model failure) are thrown as the foley::Error they were. kUnavailable /
  // kDied mean the caller should generate in-process; a temp file the dead
  // server left is removed.
  ServerAttempt generate(const GenRequest& request, const std::filesystem::path& out_path, const ProgressFn& progress,
                         const CancelFlag& cancel);

  // The running server's status object, or nullopt when none runs.
  std::optional<nlohmann::json> status();

  // Asks the running server to exit; false when none runs.
  bool stop();

  const ServerPaths& paths() const { return paths_; }

 private:
  ModelServerClientOptions options_;
  ServerPaths paths_;
};

}  // namespace foley::ipc
