#include "backends/model_server_client.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "backends/model_server_protocol.h"
#include "backends/server_lock.h"
#include "common/error.h"

namespace foley::backends {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Sends one request and returns the single reply line, or nullopt when no
// server answers.
std::optional<json> ask(const ServerPaths& paths, const json& message) {
  UniqueFd fd = connect_unix(paths.socket);
  if (!fd.valid() || !send_all(fd.get(), protocol_line(message))) return std::nullopt;
  LineReader reader(fd.get());
  std::string line;
  if (reader.read_line(line, 10000) != LineReader::Status::kLine) return std::nullopt;
  json reply = json::parse(line, nullptr, false);
  if (reply.is_discarded()) return std::nullopt;
  return reply;
}

}  // namespace

ModelServerClient::ModelServerClient(ModelServerClientOptions options)
    : options_(std::move(options)), paths_(server_paths(options_.cache_dir)) {}

UniqueFd ModelServerClient::connect_or_start(std::string* reason) {
  int err = 0;
  UniqueFd fd = connect_unix(paths_.socket, &err);
  if (fd.valid()) return fd;
  if (!options_.launch) {
    *reason = "no model server is running";
    return {};
  }
  try {
    ensure_private_dirs(paths_);
    // Whoever holds the lock is starting a server; wait for it, then use that one.
    FileLock lock = FileLock::try_for(paths_.lock, options_.start_timeout_seconds + 5.0);
    if (!lock.valid()) {
      *reason = "timed out waiting for another client to start the model server (" + paths_.lock.string() + ")";
      return {};
    }
    fd = connect_unix(paths_.socket, &err);
    if (fd.valid()) return fd;
    // Nothing answers and nobody else is starting one: a socket file still
    // there belongs to a dead server; the new server replaces it.
    options_.launch(paths_);
    auto deadline = Clock::now() + std::chrono::duration<double>(options_.start_timeout_seconds);
    while (Clock::now() < deadline) {
      fd = connect_unix(paths_.socket, &err);
      if (fd.valid()) return fd;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    *reason = "the model server did not start listening within " + std::to_string(options_.start_timeout_seconds) +
              " s (its log: " + paths_.log.string() + ")";
  } catch (const Error& e) {
    *reason = e.what();
  }
  return {};
}

ServerAttempt ModelServerClient::generate(const GenRequest& request, const std::filesystem::path& out_path,
                                         const ProgressFn& progress, const CancelFlag& cancel) {
  ServerAttempt attempt;
  json message = {{"op", "generate"},
                  {"request", request.to_json()},
                  {"out_path", std::filesystem::absolute(out_path).string()},
                  {"idle_timeout", options_.idle_timeout_seconds}};
  // A server that is exiting for idleness may close a connection it had not
  // yet accepted; the next try starts a new one.
  for (int tries = 0; tries < 3; ++tries) {
    UniqueFd fd = connect_or_start(&attempt.reason);
    if (!fd.valid()) {
      attempt.outcome = ServerAttempt::Outcome::kUnavailable;
      return attempt;
    }
    if (!send_all(fd.get(), protocol_line(message))) continue;
    LineReader reader(fd.get());
    bool accepted = false;
    long long pid = 0;
    std::filesystem::path temp;
    for (;;) {
      if (cancel.load()) {
        fd.reset();  // the server sees the hang-up and stops between steps
        throw GenerationCancelled();
      }
      std::string line;
      LineReader::Status st = reader.read_line(line, 100);
      if (st == LineReader::Status::kTimeout) continue;
      if (st != LineReader::Status::kLine) {
        if (!accepted) break;
        std::error_code ec;
        if (!temp.empty()) std::filesystem::remove(temp, ec);
        attempt.outcome = ServerAttempt::Outcome::kDied;
        attempt.server_pid = pid;
        attempt.reason = "the model server (pid " + std::to_string(pid) +
                         ") closed the connection before finishing (it died or was stopped)";
        return attempt;
      }
      json reply = json::parse(line, nullptr, false);
      if (!reply.is_object()) throw Error::failure("model server sent a malformed line: " + line.substr(0, 200));
      if (reply.contains("accepted")) {
        accepted = true;
        pid = reply.value("pid", 0LL);
      } else if (reply.contains("temp")) {
        temp = reply["temp"].get<std::string>();
      } else if (reply.contains("progress")) {
        if (progress) progress(reply.value("progress", 0.0), reply.value("what", std::string()));
      } else if (reply.contains("result")) {
        attempt.outcome = ServerAttempt::Outcome::kDone;
        attempt.result = result_from_json(reply["result"]);
        attempt.server_pid = pid;
        return attempt;
      } else if (reply.contains("error")) {
        throw_server_error(reply);
      }
    }
  }
  attempt.outcome = ServerAttempt::Outcome::kUnavailable;
  attempt.reason = "the model server closed the connection three times before accepting the request";
  return attempt;
}

std::optional<json> ModelServerClient::status() {
  auto reply = ask(paths_, {{"op", "status"}});
  if (!reply || !reply->contains("status")) return std::nullopt;
  return (*reply)["status"];
}

bool ModelServerClient::stop() {
  auto reply = ask(paths_, {{"op", "stop"}});
  return reply.has_value() && reply->value("stopping", false);
}

}  // namespace foley::backends
