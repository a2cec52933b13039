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

// Starts `argv` (argv[0] looked up in PATH when it has no slash) as a daemon
// (double fork: new session, reparented to init, so
// it is never a zombie of ours and ninja does not wait for it): stdin is
// /dev/null, stdout and stderr append to `log`, no descriptor of ours is
// inherited. Returns once it has exec'd. Throws foley::Error when it cannot
// be started (fork or exec failed).
void spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log);

// Whether an environment variable's name marks a secret that must not travel
// to a compute node: ELEVENLABS_API_KEY and any *_API_KEY, *_SECRET, *_TOKEN
// or *_PASSWORD.
bool is_secret_variable(const std::string& name);

// Removes every secret variable (is_secret_variable) from this process's
// environment, so that nothing it starts inherits one. Single-threaded callers only.
void unset_secret_variables();

// Like spawn_detached but runs `body` in the forked daemon instead of an
// executable (its return value is the exit code). For tests: a server with a
// fake generator. Call only from a single-threaded process.
void fork_detached(const std::function<int()>& body, const std::filesystem::path& log);

}  // namespace foley::ipc
