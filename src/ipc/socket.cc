#include "ipc/socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/error.h"

namespace foley::ipc {
namespace {

bool fill_address(const std::filesystem::path& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  const std::string& s = path.native();
  if (s.size() > max_unix_socket_path()) return false;
  std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
  return true;
}

}  // namespace

size_t max_unix_socket_path() { return sizeof(sockaddr_un{}.sun_path) - 1; }

UniqueFd connect_unix(const std::filesystem::path& path, int* error) {
  sockaddr_un addr;
  if (!fill_address(path, addr)) {
    if (error) *error = ENAMETOOLONG;
    return {};
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    if (error) *error = errno;
    return {};
  }
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (error) *error = errno;
    return {};
  }
  return fd;
}

UniqueFd listen_unix(const std::filesystem::path& path, int backlog) {
  sockaddr_un addr;
  if (!fill_address(path, addr))
    throw Error::failure("socket path " + path.string() + " is longer than " +
                         std::to_string(max_unix_socket_path()) + " bytes");
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw Error::failure(std::string("socket(): ") + std::strerror(errno));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw Error::failure("cannot bind " + path.string() + ": " + std::strerror(errno));
  if (::listen(fd.get(), backlog) != 0)
    throw Error::failure("cannot listen on " + path.string() + ": " + std::strerror(errno));
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

LineReader::Status LineReader::read_line(std::string& line, int timeout_ms) {
  using SteadyClock = std::chrono::steady_clock;
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      line.assign(buffer_, 0, nl);
      buffer_.erase(0, nl + 1);
      return Status::kLine;
    }
    if (buffer_.size() > kMaxLine) return Status::kError;
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
      if (left <= 0) return Status::kTimeout;
      wait = static_cast<int>(left);
    }
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, wait);
    if (rc < 0) {
      if (errno == EINTR) return Status::kTimeout;  // let the caller look at its flags
      return Status::kError;
    }
    if (rc == 0) return Status::kTimeout;
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::kError;
    }
    if (n == 0) return Status::kEof;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace foley::ipc
