#include "ipc/connect.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ipc/launcher.h"
#include "ipc/protocol.h"
#include "request/remote_config.h"
#include "common/file_lock.h"
#include "common/progress_channel.h"
#include "common/error.h"

namespace foley::ipc {

UniqueFd connect_or_start_server(const ServerPaths& paths, const ServerLauncher& launch,
                                 double start_timeout_seconds, std::string* reason) {
  using SteadyClock = std::chrono::steady_clock;
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
    auto deadline = SteadyClock::now() + std::chrono::duration<double>(start_timeout_seconds);
    while (SteadyClock::now() < deadline) {
      fd = connect_unix(paths.socket, &err);
      if (fd.valid()) return fd;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    *reason = "the resident server did not start listening within " + std::to_string(start_timeout_seconds) +
              " s (its log: " + paths.log.string() + ")";
  } catch (const Error& e) {
    *reason = e.what();
  }
  return {};
}

namespace {
bool switched_off(const char* v) {
  return std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 || std::strcmp(v, "no") == 0 ||
         std::strcmp(v, "false") == 0;
}
}  // namespace

bool server_disabled(ServerUse use) {
  if (const char* v = std::getenv("FOLEY_SERVER")) return switched_off(v);
  const char* old_name = use == ServerUse::kModels ? "FOLEY_AUDIOLDM2_SERVER" : "FOLEY_API_SERVER";
  const char* v = std::getenv(old_name);
  return v != nullptr && switched_off(v);
}

void launch_server_without_secrets(const ServerPaths& paths, const std::filesystem::path& cache_dir) {
  // The API key and the team cache's credentials (each call brings its own),
  // and the progress socket of the build that happens to start the server: it
  // outlives that build, and each call names its own build's socket.
  std::vector<std::string> secrets = {kApiKeyVariable, kProgressSocketVariable};
  for (const std::string& name : remote_credential_variables()) secrets.push_back(name);
  std::vector<std::pair<std::string, std::string>> saved;
  for (const std::string& name : secrets)
    if (const char* v = std::getenv(name.c_str())) saved.emplace_back(name, v);
  for (const std::string& name : secrets) ::unsetenv(name.c_str());
  try {
    spawn_detached(default_server_command(cache_dir, 600.0), paths.log);
  } catch (...) {
    for (const auto& [name, value] : saved) ::setenv(name.c_str(), value.c_str(), 1);
    throw;
  }
  for (const auto& [name, value] : saved) ::setenv(name.c_str(), value.c_str(), 1);
}

}  // namespace foley::ipc
