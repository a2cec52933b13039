#include "ipc/client.h"

#include <unistd.h>

#include <cstring>

#include "ipc/protocol.h"
#include "ipc/connect.h"
#include "common/error.h"

namespace foley::ipc {
namespace {

using nlohmann::json;

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
  return connect_or_start_server(paths_, options_.launch, options_.start_timeout_seconds, reason);
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
        attempt.reason = "the resident server (pid " + std::to_string(pid) +
                         ") closed the connection before finishing (it died or was stopped)";
        return attempt;
      }
      json reply = json::parse(line, nullptr, false);
      if (!reply.is_object()) throw Error::failure("the resident server sent a malformed line: " + line.substr(0, 200));
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
  attempt.reason = "the resident server closed the connection three times before accepting the request";
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

}  // namespace foley::ipc
