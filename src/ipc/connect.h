#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "ipc/paths.h"
#include "ipc/socket.h"

namespace foley::ipc {

// Starts a resident server for `paths` (normally spawn_detached of
// default_server_command); returns once it is launched, not listening.
// Throws foley::Error when it cannot.
using ServerLauncher = std::function<void(const ServerPaths&)>;

// Connects to the resident server of a cache directory, starting it first when
// none listens and `launch` is set. Exactly one server starts even when many
// clients arrive at once: they queue on the start lock, and all but the first
// find the new server listening. An invalid fd, with the reason in *reason,
// when there is none (and none could be started within start_timeout_seconds).
UniqueFd connect_or_start_server(const ServerPaths& paths, const ServerLauncher& launch,
                                 double start_timeout_seconds, std::string* reason);

}  // namespace foley::ipc

namespace foley::ipc {

// What a generation would use the resident server for.
enum class ServerUse { kModels, kApiCalls };

// True when the resident server is switched off for `use`: FOLEY_SERVER=0 (or
// off, no, false) switches it off for everything; generations then run in
// foley-gen's own process and nothing is handed over. The older switches,
// deprecated aliases kept for scripts that set them, each switch off one use
// when FOLEY_SERVER is unset: FOLEY_AUDIOLDM2_SERVER (models), FOLEY_API_SERVER
// (API calls).
bool server_disabled(ServerUse use);
inline bool api_server_disabled() { return server_disabled(ServerUse::kApiCalls); }

// Starts `foley-gen serve` for `cache_dir` (default_server_command, 10 minutes
// idle) with no API key and no team cache credential in its environment: they
// reach the server only inside the calls that need them. This process's environment is unchanged.
void launch_server_without_secrets(const ServerPaths& paths, const std::filesystem::path& cache_dir);

}  // namespace foley::ipc
