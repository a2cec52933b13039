#include "ipc/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ipc/socket.h"
#include "common/error.h"
#include "common/hash.h"

namespace foley::ipc {
namespace fs = std::filesystem;

namespace {

void ensure_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error::failure("cannot create " + dir.string() + ": " + ec.message());
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0)
    throw Error::failure("cannot stat " + dir.string() + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw Error::failure(dir.string() + " is not a directory");
  if (st.st_uid != ::getuid())
    throw Error::failure(dir.string() + " belongs to another user; refusing to use it for the resident server");
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    throw Error::failure("cannot make " + dir.string() + " private (chmod 0700): " + std::strerror(errno));
}

}  // namespace

ServerPaths server_paths(const fs::path& cache_dir) {
  fs::path cache = fs::weakly_canonical(fs::absolute(cache_dir));
  ServerPaths p;
  p.dir = cache / "server";
  p.lock = p.dir / "start.lock";
  p.pid_file = p.dir / "server.pid";
  p.log = p.dir / "server.log";
  p.socket = p.dir / "socket";
  if (p.socket.native().size() > max_unix_socket_path()) {
    std::string name = xxh3_128(cache.native()).hex().substr(0, 16);
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    std::error_code ec;
    if (runtime != nullptr && *runtime != '\0' && fs::is_directory(runtime, ec))
      p.socket = fs::path(runtime) / ("foley-" + name + ".sock");
    else
      p.socket = fs::path("/tmp") / ("foley-" + std::to_string(::getuid())) / (name + ".sock");
  }
  return p;
}

void ensure_private_dirs(const ServerPaths& paths) {
  ensure_private_dir(paths.dir);
  if (paths.socket.parent_path() != paths.dir) {
    // $XDG_RUNTIME_DIR is private by definition; /tmp/foley-<uid> must be made so.
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime == nullptr || paths.socket.parent_path() != fs::path(runtime)) ensure_private_dir(paths.socket.parent_path());
  }
}

}  // namespace foley::ipc
