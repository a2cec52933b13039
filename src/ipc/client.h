#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "request/request_spec.h"
#include "request/result.h"
#include "ipc/paths.h"
#include "ipc/connect.h"
#include "ipc/socket.h"

namespace foley::ipc {


// A farm's resident server (ipc/farm_registry.h), reached over TCP with the
// farm's shared secret (ipc/farm_auth.h) instead of the cache's Unix socket.
struct FarmEndpoint {
  std::string host;
  int port = 0;
  std::string secret;
};

struct ModelServerClientOptions {
  std::filesystem::path cache_dir;
  std::optional<FarmEndpoint> farm;     // set: talk to this server only, never start one
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

// A paid API call for the server to make: the spec's text and where it came
// from (for messages).
struct ApiCall {
  std::string spec_text;
  std::string origin;
};

// How a call through the server ended.
struct CallAttempt {
  enum class Outcome { kDone, kRefused, kUnavailable, kDied };
  Outcome outcome = Outcome::kUnavailable;
  nlohmann::json done;       // kDone: {"exit", "stdout", "stderr"} or {"cancelled": true}
  long long server_pid = 0;  // the server that took it (kDone, kDied)
  std::string reason;        // kRefused: the server's error; kUnavailable / kDied: for the user
};

// The client side of the resident server of one cache directory: the only code
// that writes its requests and reads its replies.
class ModelServerClient {
 public:
  explicit ModelServerClient(ModelServerClientOptions options);

  // A connection to the running server, starting one when none answers
  // (a farm server: connects and answers its challenge, starts nothing):
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

  // Has the server make one API call ({"op":"call"}, server/api_calls.h) and
  // waits for its answer: what foley-gen would have printed and its exit code.
  // The caller's API key travels with it. kRefused: the server does not take
  // calls; kUnavailable / kDied: no answer. In every case but kDone the
  // caller makes the call itself.
  // `team_cache`: the team cache's settings (request/remote_config.h, as
  // JSON) the server asks before it pays and fills after; the caller's
  // credentials for it (remote_credential_variables()) travel with them.
  // Null: the server leaves the team cache alone.
  CallAttempt call(const ApiCall& call, long long build_id, const nlohmann::json& team_cache = nullptr);

  // Hands the stale calls of one API profile over to the server
  // ({"op":"prefetch"}), which makes them `depth` at a time. Returns the open
  // connection once the server accepted them: it starts no further call of
  // them once that closes. Invalid, with *reason, when it did not accept.
  UniqueFd prefetch(const std::string& pool, int depth, const std::vector<ApiCall>& calls, long long build_id,
                    std::string* reason);

  // The running server's status object, or nullopt when none runs.
  std::optional<nlohmann::json> status();

  // Asks the running server to exit; false when none runs.
  bool stop();

  const ServerPaths& paths() const { return paths_; }

 private:
  // How a streamed request ended, when it did not throw.
  struct StreamEnd {
    enum class Outcome { kFinished, kUnavailable, kDied };
    Outcome outcome = Outcome::kUnavailable;
    long long server_pid = 0;
    std::string reason;
  };
  // Sends `message` and passes each reply line but {"accepted"} to `on_reply`
  // until it returns true (the request's last line). A server that closes the
  // connection before accepting (it was exiting for idleness) is tried again.
  // With `cancel`, the flag is polled while waiting: when set, the connection
  // is closed and GenerationCancelled thrown. A line that is not a JSON object
  // is thrown as a failure.
  StreamEnd stream(const nlohmann::json& message, const std::function<bool(const nlohmann::json&)>& on_reply,
                   const CancelFlag* cancel);

  // One request, one reply line (status, stop); nullopt when no server answers.
  std::optional<nlohmann::json> ask(const nlohmann::json& message);

  ModelServerClientOptions options_;
  ServerPaths paths_;
};

}  // namespace foley::ipc
