#include "backends/server_connect.h"

#include <chrono>
#include <thread>

#include "backends/server_lock.h"
#include "common/error.h"

namespace foley::backends {

UniqueFd connect_or_start_server(const ServerPaths& paths, const ServerLauncher& launch,
                                 double start_timeout_seconds, std::string* reason) {
  using Clock = std::chrono::steady_clock;
  int err = 0;
  UniqueFd fd = connect_unix(paths.socket, &err);
  if (fd.valid()) return fd;
  if (!launch) {
    *reason = "no resident server is running";
    return {};
  }
  try {
    ensure_private_dirs(paths);
    // Whoever holds the lock is starting a server; wait for it, then use that one.
    FileLock lock = FileLock::try_for(paths.lock, start_timeout_seconds + 5.0);
    if (!lock.valid()) {
      *reason = "timed out waiting for another client to start the resident server (" + paths.lock.string() + ")";
      return {};
    }
    fd = connect_unix(paths.socket, &err);
    if (fd.valid()) return fd;
    // Nothing answers and nobody else is starting one: a socket file still
    // there belongs to a dead server; the new server replaces it.
    launch(paths);
    auto deadline = Clock::now() + std::chrono::duration<double>(start_timeout_seconds);
    while (Clock::now() < deadline) {
      fd = connect_unix(paths.socket, &err);
      if (fd.valid()) return fd;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    *reason = "the resident server did not start listening within " + std::to_string(start_timeout_seconds) +
              " s (its log: " + paths.log.string() + ")";
  } catch (const Error& e) {
    *reason = e.what();
  }
  return {};
}

}  // namespace foley::backends
