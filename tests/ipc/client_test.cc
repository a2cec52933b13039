// The client side of the resident server's protocol against a scripted fake
// server: what each request writes, and how each way a reply can end reads.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/progress_channel.h"
#include "ipc/client.h"
#include "ipc/paths.h"
#include "ipc/protocol.h"
#include "ipc/socket.h"

using namespace foley;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A server that answers one connection with `replies` (then hangs up, unless
// `hold`: then it waits for the client to hang up) and keeps the request line.
class FakeServer {
 public:
  FakeServer(const ipc::ServerPaths& paths, std::vector<json> replies, bool hold = false)
      : listener_(ipc::listen_unix(paths.socket)) {
    thread_ = std::thread([this, replies = std::move(replies), hold] {
      ipc::UniqueFd conn(::accept(listener_.get(), nullptr, nullptr));
      ipc::LineReader reader(conn.get());
      std::string line;
      if (reader.read_line(line, 5000) == ipc::LineReader::Status::kLine) request_ = json::parse(line);
      for (const json& r : replies) ipc::send_all(conn.get(), ipc::protocol_line(r));
      if (hold) reader.read_line(line, 5000);  // returns when the client hangs up
    });
  }
  ~FakeServer() {
    if (thread_.joinable()) thread_.join();
  }
  // The request it got; waits for the connection to end.
  const json& request() {
    thread_.join();
    return request_;
  }

 private:
  ipc::UniqueFd listener_;
  json request_;
  std::thread thread_;
};

struct Fixture {
  Fixture() {
    char tmpl[] = "/tmp/foley-ipc-test-XXXXXX";
    dir = ::mkdtemp(tmpl);
    ipc::ModelServerClientOptions options;
    options.cache_dir = dir / "cache";
    client.emplace(options);
    fs::create_directories(client->paths().socket.parent_path());
    ::setenv(ipc::kApiKeyVariable, "sk-test", 1);
  }
  ~Fixture() {
    ::unsetenv(ipc::kApiKeyVariable);
    std::error_code ec;
    fs::remove(client->paths().socket, ec);
    fs::remove_all(dir, ec);
  }
  fs::path dir;
  std::optional<ipc::ModelServerClient> client;
};

const ipc::ApiCall kCall{"{\"engine\":\"elevenlabs\"}\n", ".foley/requests/ab.pack:ab"};

}  // namespace

TEST_CASE("ipc client: a call sends the spec with the caller's key and reads the server's answer", "[ipc]") {
  Fixture f;
  FakeServer server(f.client->paths(), {{{"accepted", true}, {"pid", 41}},
                                        {{"done", {{"exit", 0}, {"stdout", "ok\n"}, {"stderr", ""}}}}});
  ipc::CallAttempt a = f.client->call(kCall, 7);
  CHECK(a.outcome == ipc::CallAttempt::Outcome::kDone);
  CHECK(a.server_pid == 41);
  CHECK(a.done.value("stdout", std::string()) == "ok\n");
  const json& sent = server.request();
  // FOLEY_RETRY_UNUSABLE is not set in the test's environment: the call does not pay again for a kept answer.
  // Outside `foley build` there is no progress socket to report the call to.
  CHECK(sent == json{{"op", "call"}, {"spec", kCall.spec_text}, {"origin", kCall.origin}, {"build_id", 7},
                     {"env_key", "sk-test"}, {"progress_socket", nullptr}, {"retry_unusable", false}});
}

TEST_CASE("ipc client: a call under `foley build` names the build's progress socket", "[ipc]") {
  Fixture f;
  FakeServer server(f.client->paths(), {{{"accepted", true}, {"pid", 41}},
                                        {{"done", {{"exit", 0}, {"stdout", "ok\n"}, {"stderr", ""}}}}});
  ::setenv(kProgressSocketVariable, "/tmp/foley-progress-x/socket", 1);
  ipc::CallAttempt a = f.client->call(kCall, 7);
  ::unsetenv(kProgressSocketVariable);
  CHECK(a.outcome == ipc::CallAttempt::Outcome::kDone);
  CHECK(server.request().value("progress_socket", std::string()) == "/tmp/foley-progress-x/socket");
}

TEST_CASE("ipc client: a server that refuses the call, or dies during it, leaves the call to the caller", "[ipc]") {
  Fixture f;
  {
    FakeServer server(f.client->paths(), {{{"error", "resident server: unknown request"}, {"kind", "input"}}});
    ipc::CallAttempt a = f.client->call(kCall, 0);
    CHECK(a.outcome == ipc::CallAttempt::Outcome::kRefused);
    CHECK(a.reason == "resident server: unknown request");
  }
  fs::remove(f.client->paths().socket);
  {
    FakeServer server(f.client->paths(), {{{"accepted", true}, {"pid", 12}}});
    ipc::CallAttempt a = f.client->call(kCall, 0);
    CHECK(a.outcome == ipc::CallAttempt::Outcome::kDied);
    CHECK(a.reason == "the resident server (pid 12) closed the connection before finishing");
  }
  fs::remove(f.client->paths().socket);
  ipc::CallAttempt none = f.client->call(kCall, 0);
  CHECK(none.outcome == ipc::CallAttempt::Outcome::kUnavailable);
  CHECK_FALSE(none.reason.empty());
}

TEST_CASE("ipc client: a prefetch keeps its connection once the server accepted it", "[ipc]") {
  Fixture f;
  {
    FakeServer server(f.client->paths(), {{{"accepted", true}, {"pid", 3}}}, /*hold=*/true);
    std::string reason;
    ipc::UniqueFd fd = f.client->prefetch("sfx", 2, {kCall, kCall}, 9, &reason);
    CHECK(fd.valid());
    fd.reset();
    const json& sent = server.request();
    CHECK(sent.value("op", std::string()) == "prefetch");
    CHECK(sent.value("pool", std::string()) == "sfx");
    CHECK(sent.value("depth", 0) == 2);
    CHECK(sent.value("build_id", 0) == 9);
    CHECK(sent["calls"] == json::array({{{"spec", kCall.spec_text}, {"origin", kCall.origin}},
                                        {{"spec", kCall.spec_text}, {"origin", kCall.origin}}}));
    CHECK(sent.value("env_key", std::string()) == "sk-test");
  }
  fs::remove(f.client->paths().socket);
  {
    FakeServer server(f.client->paths(), {});
    std::string reason;
    CHECK_FALSE(f.client->prefetch("sfx", 2, {kCall}, 9, &reason).valid());
    CHECK(reason == "the resident server did not accept them");
  }
}

TEST_CASE("ipc client: a malformed reply line is a failure naming the line", "[ipc]") {
  Fixture f;
  FakeServer server(f.client->paths(), {{{"accepted", true}, {"pid", 5}}, json("not an object")});
  CHECK_THROWS_WITH(f.client->call(kCall, 0), Catch::Contains("malformed line: \"not an object\""));
}
