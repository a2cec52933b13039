#include "ipc/client.h"

#include <unistd.h>

#include <cstdlib>

#include "ipc/protocol.h"
#include "request/remote_config.h"
#include "request/retry_unusable.h"
#include "ipc/connect.h"
#include "ipc/farm_auth.h"
#include "common/error.h"
#include "common/progress_channel.h"

namespace foley::ipc {
namespace {

using nlohmann::json;

enum class Read { kReply, kTimeout, kClosed, kMalformed };

// The next reply line, parsed; `line` keeps its text.
Read read_reply(LineReader& reader, int timeout_ms, std::string& line, json& reply) {
  LineReader::Status st = reader.read_line(line, timeout_ms);
  if (st == LineReader::Status::kTimeout) return Read::kTimeout;
  if (st != LineReader::Status::kLine) return Read::kClosed;
  reply = json::parse(line, nullptr, false);
  return reply.is_object() ? Read::kReply : Read::kMalformed;
}

// The API key as this process's environment has it, for a call's message.
json caller_api_key() {
  const char* key = std::getenv(kApiKeyVariable);
  return key != nullptr ? json(key) : json(nullptr);
}

// The team cache's credentials as this environment has them: only the
// variables that are set.
json caller_remote_credentials() {
  json env = json::object();
  for (const std::string& name : remote_credential_variables())
    if (const char* v = std::getenv(name.c_str()); v != nullptr) env[name] = v;
  return env;
}

// The build's progress socket (common/progress_channel.h) as this process's
// environment names it: the server reports the calls it makes for this build
// there, bytes received included. Null outside `foley build`.
json caller_progress_socket() {
  const char* path = std::getenv(kProgressSocketVariable);
  return path != nullptr && *path != '\0' ? json(path) : json(nullptr);
}

}  // namespace

ModelServerClient::ModelServerClient(ModelServerClientOptions options)
    : options_(std::move(options)), paths_(server_paths(options_.cache_dir)) {}

UniqueFd ModelServerClient::connect_or_start(std::string* reason) {
  if (options_.farm) return connect_farm_server(options_.farm->host, options_.farm->port, options_.farm->secret, reason);
  return connect_or_start_server(paths_, options_.launch, options_.start_timeout_seconds, reason);
}

ModelServerClient::StreamEnd ModelServerClient::stream(const json& message,
                                                       const std::function<bool(const json&)>& on_reply,
                                                       const CancelFlag* cancel) {
  StreamEnd end;
  for (int tries = 0; tries < 3; ++tries) {
    UniqueFd fd = connect_or_start(&end.reason);
    if (!fd.valid()) {
      end.outcome = StreamEnd::Outcome::kUnavailable;
      return end;
    }
    if (!send_all(fd.get(), protocol_line(message))) continue;
    LineReader reader(fd.get());
    bool accepted = false;
    for (;;) {
      if (cancel != nullptr && cancel->load()) {
        fd.reset();  // the server sees the hang-up and stops between steps
        throw GenerationCancelled();
      }
      std::string line;
      json reply;
      Read got = read_reply(reader, cancel != nullptr ? 100 : -1, line, reply);
      if (got == Read::kTimeout) continue;
      if (got == Read::kMalformed)
        throw Error::failure("the resident server sent a malformed line: " + line.substr(0, 200));
      if (got == Read::kClosed) break;
      if (reply.contains("accepted")) {
        accepted = true;
        end.server_pid = reply.value("pid", 0LL);
      } else if (on_reply(reply)) {
        end.outcome = StreamEnd::Outcome::kFinished;
        return end;
      }
    }
    if (accepted) {
      end.outcome = StreamEnd::Outcome::kDied;
      end.reason = "the resident server (pid " + std::to_string(end.server_pid) +
                   ") closed the connection before finishing";
      return end;
    }
  }
  const std::string op = message.value("op", std::string());
  end.outcome = StreamEnd::Outcome::kUnavailable;
  end.reason = "the resident server closed the connection three times before accepting the " +
               (op == "generate" ? std::string("request") : op);
  return end;
}

ServerAttempt ModelServerClient::generate(const GenRequest& request, const std::filesystem::path& out_path,
                                         const ProgressFn& progress, const CancelFlag& cancel) {
  ServerAttempt attempt;
  json message = {{"op", "generate"},
                  {"request", request.to_json()},
                  {"out_path", std::filesystem::absolute(out_path).string()},
                  {"idle_timeout", options_.idle_timeout_seconds}};
  std::filesystem::path temp;
  StreamEnd end = stream(
      message,
      [&](const json& reply) {
        if (reply.contains("temp")) {
          temp = reply["temp"].get<std::string>();
        } else if (reply.contains("progress")) {
          if (progress) progress(reply.value("progress", 0.0), reply.value("what", std::string()));
        } else if (reply.contains("result")) {
          attempt.result = result_from_json(reply["result"]);
          return true;
        } else if (reply.contains("error")) {
          throw_server_error(reply);
        }
        return false;
      },
      &cancel);
  attempt.server_pid = end.server_pid;
  attempt.reason = end.reason;
  switch (end.outcome) {
    case StreamEnd::Outcome::kFinished:
      attempt.outcome = ServerAttempt::Outcome::kDone;
      break;
    case StreamEnd::Outcome::kUnavailable:
      attempt.outcome = ServerAttempt::Outcome::kUnavailable;
      break;
    case StreamEnd::Outcome::kDied: {
      std::error_code ec;
      if (!temp.empty()) std::filesystem::remove(temp, ec);
      attempt.outcome = ServerAttempt::Outcome::kDied;
      attempt.reason += " (it died or was stopped)";
      break;
    }
  }
  return attempt;
}

CallAttempt ModelServerClient::call(const ApiCall& api_call, long long build_id, const json& team_cache) {
  CallAttempt attempt;
  json message = {{"op", "call"},
                  {"spec", api_call.spec_text},
                  {"origin", api_call.origin},
                  {"build_id", build_id},
                  {"env_key", caller_api_key()},
                  {"progress_socket", caller_progress_socket()},
                  {"retry_unusable", retry_unusable_from_env()}};
  if (!team_cache.is_null()) {
    message["remote"] = team_cache;
    message["remote_env"] = caller_remote_credentials();
  }
  bool refused = false;
  StreamEnd end = stream(
      message,
      [&](const json& reply) {
        if (reply.contains("done") && reply["done"].is_object()) {
          attempt.done = reply["done"];
          return true;
        }
        if (reply.contains("error")) {  // a server that does not take calls
          refused = true;
          attempt.reason = reply.value("error", std::string());
          return true;
        }
        return false;
      },
      nullptr);
  attempt.server_pid = end.server_pid;
  if (end.outcome == StreamEnd::Outcome::kFinished) {
    attempt.outcome = refused ? CallAttempt::Outcome::kRefused : CallAttempt::Outcome::kDone;
    return attempt;
  }
  attempt.outcome =
      end.outcome == StreamEnd::Outcome::kDied ? CallAttempt::Outcome::kDied : CallAttempt::Outcome::kUnavailable;
  attempt.reason = end.reason;
  return attempt;
}

UniqueFd ModelServerClient::prefetch(const std::string& pool, int depth, const std::vector<ApiCall>& calls,
                                     long long build_id, std::string* reason) {
  json items = json::array();
  for (const ApiCall& c : calls) items.push_back({{"spec", c.spec_text}, {"origin", c.origin}});
  json message = {{"op", "prefetch"},   {"pool", pool},         {"depth", depth},
                  {"calls", std::move(items)}, {"build_id", build_id}, {"env_key", caller_api_key()},
                  {"progress_socket", caller_progress_socket()},
                  {"retry_unusable", retry_unusable_from_env()}};
  UniqueFd fd = connect_or_start(reason);
  if (!fd.valid()) return fd;
  if (!send_all(fd.get(), protocol_line(message))) {
    *reason = "the server hung up";
    return UniqueFd();
  }
  LineReader reader(fd.get());
  std::string line;
  json reply;
  if (read_reply(reader, 10000, line, reply) != Read::kReply || !reply.contains("accepted")) {
    *reason = "the resident server did not accept them";
    return UniqueFd();
  }
  return fd;
}

std::optional<json> ModelServerClient::ask(const json& message) {
  std::string reason;
  UniqueFd fd = options_.farm ? connect_or_start(&reason) : connect_unix(paths_.socket);
  if (!fd.valid() || !send_all(fd.get(), protocol_line(message))) return std::nullopt;
  LineReader reader(fd.get());
  std::string line;
  json reply;
  if (read_reply(reader, 10000, line, reply) != Read::kReply) return std::nullopt;
  if (reply.contains("error")) throw_server_error(reply);
  return reply;
}

std::optional<json> ModelServerClient::status() {
  auto reply = ask({{"op", "status"}});
  if (!reply || !reply->contains("status")) return std::nullopt;
  return (*reply)["status"];
}

bool ModelServerClient::stop() {
  auto reply = ask({{"op", "stop"}});
  return reply.has_value() && reply->value("stopping", false);
}

}  // namespace foley::ipc
