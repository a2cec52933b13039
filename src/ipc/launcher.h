#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace foley::ipc {

// `<foley-gen> serve --cache DIR --idle-timeout S`, where <foley-gen> is this
// executable when it is foley-gen, else the foley-gen next to it.
std::vector<std::string> default_server_command(const std::filesystem::path& cache_dir, double idle_timeout_seconds);

// Starts `argv` as a daemon (double fork: new session, reparented to init, so
// it is never a zombie of ours and ninja does not wait for it): stdin is
// /dev/null, stdout and stderr append to `log`, no descriptor of ours is
// inherited. Returns once it has exec'd. Throws foley::Error when it cannot
// be started (fork or exec failed).
void spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log);

// Like spawn_detached but runs `body` in the forked daemon instead of an
// executable (its return value is the exit code). For tests: a server with a
// fake generator. Call only from a single-threaded process.
void fork_detached(const std::function<int()>& body, const std::filesystem::path& log);

}  // namespace foley::ipc
