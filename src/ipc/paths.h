#pragma once

#include <filesystem>

namespace foley::ipc {

// Where the resident model server of one cache directory keeps its files.
// Everything lives in a private (0700) directory: nobody else can connect to
// the socket or read the log.
struct ServerPaths {
  std::filesystem::path dir;       // <cache>/server
  std::filesystem::path socket;    // dir/socket, or a short path in the runtime dir when that is too long
  std::filesystem::path lock;      // dir/start.lock: held by whoever starts (or stops) a server
  std::filesystem::path pid_file;  // dir/server.pid: "<pid>\n", written by the server once it listens
  std::filesystem::path log;       // dir/server.log: the server's stderr
};

// The paths for `cache_dir` (made absolute). Pure: creates nothing.
// A socket path longer than a sockaddr_un allows moves to
// $XDG_RUNTIME_DIR/foley-<hash of cache dir>.sock or /tmp/foley-<uid>/<hash>.sock.
ServerPaths server_paths(const std::filesystem::path& cache_dir);

// Creates dir (and the socket's directory) with mode 0700 and checks that they
// belong to this user and are not group/world accessible. Throws foley::Error.
void ensure_private_dirs(const ServerPaths& paths);

}  // namespace foley::ipc
