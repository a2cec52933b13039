#pragma once

#include <filesystem>
#include <string>

#include "ipc/socket.h"

namespace foley::ipc {

// A farm's servers listen on TCP, where anyone on the network could connect:
// every connection proves it knows the farm's shared secret before its request
// is read. The secret is a file in the (shared) cache, mode 0600, created by
// `foley farm up`; it never travels on a command line, in an environment or on
// the wire. The handshake, before the usual protocol (ipc/protocol.h):
//
//   server → {"challenge":C}                 (16 random bytes, hex, per connection)
//   client → {"auth":HMAC-SHA256(secret, "foley-farm-v1\n" + C), hex}
//
// A missing or wrong proof is answered {"error":"...","kind":"input"} and the
// connection closed; proofs are compared in constant time.

// <cache>/farm: the farm's secret, its registry (ipc/farm_registry.h) and its
// servers' logs. Mode 0700.
std::filesystem::path farm_dir(const std::filesystem::path& cache_dir);
std::filesystem::path farm_secret_path(const std::filesystem::path& cache_dir);

// Creates the farm's secret (32 random bytes, hex) with mode 0600 unless one
// exists; returns it. Throws foley::Error.
std::string ensure_farm_secret(const std::filesystem::path& cache_dir);

// The farm's secret. Throws foley::Error (naming the file) when it is missing,
// not this user's, or readable by anyone else.
std::string read_farm_secret(const std::filesystem::path& cache_dir);

// A fresh challenge: 16 random bytes, hex.
std::string new_auth_challenge();

// The proof of knowing `secret` for `challenge` (hex HMAC-SHA256).
std::string auth_proof(const std::string& secret, const std::string& challenge);

// Constant-time comparison of an expected proof with a received one.
bool auth_proof_matches(const std::string& expected, const std::string& received);

// Connects to a farm server and answers its challenge. An invalid fd, with
// *reason, when it does not answer or sends no challenge; the server's
// verdict on the proof arrives with the reply to the request that follows.
UniqueFd connect_farm_server(const std::string& host, int port, const std::string& secret, std::string* reason);

}  // namespace foley::ipc
