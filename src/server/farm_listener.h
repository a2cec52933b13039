#pragma once

#include <string>

#include "ipc/farm_registry.h"
#include "ipc/socket.h"

namespace foley::server {

// Where a farm's resident server listens (`foley-gen serve --tcp HOST:PORT`).
struct FarmListen {
  std::string bind = "0.0.0.0";  // the address to listen on
  int port = 0;                  // 0: the kernel picks one
};

// The registry entry of a server listening on `port`: the node's host name
// (or the bind address when it is a specific one, such as a loopback test's),
// its pid, and the Slurm step and GPU it runs in, from the step's environment.
ipc::FarmServer farm_server_identity(const FarmListen& listen, int port);

// The server's half of the farm handshake (ipc/farm_auth.h) on a new
// connection: sends a challenge, reads the proof, and answers a missing or
// wrong one with an error line. True when the client proved it knows `secret`.
// `reader` reads `fd` and keeps what follows the proof (the request).
bool authenticate_client(int fd, ipc::LineReader& reader, const std::string& secret);

}  // namespace foley::server
