#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace foley::ipc {

using ::foley::UniqueFd;

// Longest path a sockaddr_un holds (excluding the terminating NUL).
size_t max_unix_socket_path();

// Connects to the stream socket at `path`; an invalid fd (errno in *error)
// when nothing listens there (ENOENT, ECONNREFUSED, ...).
UniqueFd connect_unix(const std::filesystem::path& path, int* error = nullptr);

// Binds and listens on `path` (which must not exist); close-on-exec.
// Throws foley::Error naming the path.
UniqueFd listen_unix(const std::filesystem::path& path, int backlog = 128);

// Connects to `host` (a name or address) at TCP `port`; an invalid fd (errno,
// or EHOSTUNREACH when the name does not resolve, in *error) when nothing
// answers. Waits at most `timeout_ms` for each address to answer.
UniqueFd connect_tcp(const std::string& host, int port, int* error = nullptr, int timeout_ms = 2000);

// Binds and listens on TCP `host`:`port` (port 0: the kernel picks one; host
// "0.0.0.0": every interface); close-on-exec. *bound_port is the port it got.
// Throws foley::Error naming the address.
UniqueFd listen_tcp(const std::string& host, int port, int* bound_port, int backlog = 128);

// Writes all of `data`; false when the peer is gone (never raises SIGPIPE).
bool send_all(int fd, std::string_view data);

// Splits a stream into newline-terminated lines (the server protocol).
class LineReader {
 public:
  enum class Status { kLine, kTimeout, kEof, kError };
  static constexpr size_t kMaxLine = 16u << 20;

  explicit LineReader(int fd) : fd_(fd) {}

  // The next line without its '\n'. timeout_ms < 0 waits forever. kEof when
  // the peer closed (a partial last line is dropped), kError on a read error
  // or a line longer than kMaxLine.
  Status read_line(std::string& line, int timeout_ms = -1);

 private:
  int fd_;
  std::string buffer_;
};

}  // namespace foley::ipc
