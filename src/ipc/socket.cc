#include "ipc/socket.h"

#include <poll.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

// connect() on a fresh socket, retried on EINTR; with a timeout when
// timeout_ms >= 0 (the socket is non-blocking while it waits).
bool connect_socket(int fd, const sockaddr* addr, socklen_t len, int timeout_ms) {
  int flags = ::fcntl(fd, F_GETFL);
  if (timeout_ms >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc;
  do {
    rc = ::connect(fd, addr, len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno == EINPROGRESS && timeout_ms >= 0) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, timeout_ms);
    if (rc == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    if (rc < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) return false;
    if (so_error != 0) {
      errno = so_error;
      return false;
    }
    rc = 0;
  }
  if (timeout_ms >= 0) ::fcntl(fd, F_SETFL, flags);
  return rc == 0;
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
  if (!connect_socket(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr, -1)) {
    if (error) *error = errno;
    return {};
  }
  return fd;
}

UniqueFd connect_tcp(const std::string& host, int port, int* error, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    if (error) *error = EHOSTUNREACH;
    return {};
  }
  int last = ECONNREFUSED;
  UniqueFd fd;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    UniqueFd candidate(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!candidate.valid()) {
      last = errno;
      continue;
    }
    if (connect_socket(candidate.get(), a->ai_addr, a->ai_addrlen, timeout_ms)) {
      // One small line per message: send it at once.
      int one = 1;
      ::setsockopt(candidate.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd = std::move(candidate);
      break;
    }
    last = errno;
  }
  ::freeaddrinfo(found);
  if (!fd.valid() && error) *error = last;
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

UniqueFd listen_tcp(const std::string& host, int port, int* bound_port, int backlog) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0 || found == nullptr)
    throw Error("cannot listen on " + where + ": " + ::gai_strerror(rc));
  UniqueFd fd(::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol));
  if (!fd.valid()) {
    ::freeaddrinfo(found);
    throw Error::failure(std::string("socket(): ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  rc = ::bind(fd.get(), found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (rc != 0) throw Error::failure("cannot bind " + where + ": " + std::strerror(errno));
  if (::listen(fd.get(), backlog) != 0)
    throw Error::failure("cannot listen on " + where + ": " + std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound_port != nullptr)
    *bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
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
