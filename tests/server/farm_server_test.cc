// A farm's resident server: TCP with the farm's secret instead of the cache's
// Unix socket. Every connection must prove it knows the secret; the server
// registers itself while it listens.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <thread>

#include "common/atomic_file.h"
#include "engines/audioldm2_fake_generator.h"
#include "ipc/farm_auth.h"
#include "ipc/farm_registry.h"
#include "ipc/protocol.h"

using namespace foley;
using namespace foley::testing;

namespace {

// A farm server on loopback with the fake model, in a thread of this process.
struct FarmServerFixture {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  std::string secret = ipc::ensure_farm_secret(cache);
  std::unique_ptr<server::ModelServer> srv;
  std::thread thread;

  FarmServerFixture() {
    server::ModelServerOptions o;
    o.cache_dir = cache;
    o.idle_timeout_seconds = 0.1;  // ignored: a farm server never exits for idleness
    o.farm = server::FarmListen{"127.0.0.1", 0};
    srv = std::make_unique<server::ModelServer>(o, fake_loader(FakeModel{}));
    thread = std::thread([this] { srv->run(/*handle_signals=*/false); });
    REQUIRE(eventually([&] { return ipc::read_farm_registry(cache).size() == 1; }));
  }
  ~FarmServerFixture() {
    srv->request_stop();
    thread.join();
  }
  ipc::FarmServer entry() { return ipc::read_farm_registry(cache).at(0); }
  ipc::ModelServerClient client(const std::string& with_secret) {
    ipc::ModelServerClientOptions o;
    o.cache_dir = cache;
    o.farm = ipc::FarmEndpoint{entry().host, entry().port, with_secret};
    return ipc::ModelServerClient(o);
  }
};

// Sends `lines` on a fresh connection after reading the challenge; the reply.
std::string raw_exchange(const ipc::FarmServer& s, const std::string& lines) {
  ipc::UniqueFd fd = ipc::connect_tcp(s.host, s.port);
  REQUIRE(fd.valid());
  ipc::LineReader reader(fd.get());
  std::string challenge, reply;
  REQUIRE(reader.read_line(challenge, 5000) == ipc::LineReader::Status::kLine);
  CHECK_THAT(challenge, Catch::Contains("\"challenge\""));
  ipc::send_all(fd.get(), lines);
  reader.read_line(reply, 5000);
  return reply;
}

}  // namespace

TEST_CASE("farm server: a client with the secret generates; the object is whole", "[farm_server]") {
  FarmServerFixture f;
  CHECK(f.entry().host == "127.0.0.1");
  CHECK(f.entry().port > 0);
  auto client = f.client(f.secret);
  GenRequest req = fake_request(f.cache, 31);
  CancelFlag cancel{false};
  ipc::ServerAttempt a = client.generate(req, req.object_path, nullptr, cancel);
  CHECK(a.outcome == ipc::ServerAttempt::Outcome::kDone);
  CHECK(fs::file_size(req.object_path) > 44);
  CHECK(temp_files_under(f.cache / "objects") == 0);
  auto status = client.status();
  REQUIRE(status.has_value());
  CHECK(status->value("listen", std::string()) == "127.0.0.1:" + std::to_string(f.entry().port));
  CHECK(status->value("served", 0LL) == 1);
  // Idle far beyond the request's idle_timeout: still there.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(ipc::read_farm_registry(f.cache).size() == 1);
  CHECK(client.status().has_value());
}

TEST_CASE("farm server: a wrong secret or none is refused, and nothing is generated", "[farm_server]") {
  FarmServerFixture f;
  GenRequest req = fake_request(f.cache, 32);
  CancelFlag cancel{false};
  auto wrong = f.client(std::string(64, '0'));
  CHECK_THROWS_WITH(wrong.generate(req, req.object_path, nullptr, cancel), Catch::Contains("authentication failed"));
  CHECK_THROWS_WITH(wrong.stop(), Catch::Contains("authentication failed"));
  CHECK_THAT(raw_exchange(f.entry(), ipc::protocol_line({{"op", "stop"}})), Catch::Contains("authentication required"));
  CHECK_THAT(raw_exchange(f.entry(), "{\"auth\":\"" + ipc::auth_proof(f.secret, "another challenge") + "\"}\n"),
             Catch::Contains("authentication failed"));
  CHECK_FALSE(fs::exists(req.object_path));
  // None of it stopped the server.
  CHECK(f.client(f.secret).status().has_value());
}

TEST_CASE("farm server: stop unregisters it", "[farm_server]") {
  FarmServerFixture f;
  CHECK(f.client(f.secret).stop());
  REQUIRE(eventually([&] { return ipc::read_farm_registry(f.cache).empty(); }));
}

TEST_CASE("farm secret: created private, refused when others may read it", "[farm_server]") {
  TempDir tmp;
  const fs::path cache = tmp.path / "cache";
  const std::string secret = ipc::ensure_farm_secret(cache);
  CHECK(secret.size() == 64);
  CHECK(ipc::ensure_farm_secret(cache) == secret);  // kept, not replaced
  struct stat st {};
  REQUIRE(::stat(ipc::farm_secret_path(cache).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(ipc::auth_proof(secret, "c1") == ipc::auth_proof(secret, "c1"));
  CHECK(ipc::auth_proof(secret, "c1") != ipc::auth_proof(secret, "c2"));
  CHECK(ipc::auth_proof_matches(ipc::auth_proof(secret, "c1"), ipc::auth_proof(secret, "c1")));
  CHECK_FALSE(ipc::auth_proof_matches(ipc::auth_proof(secret, "c1"), ipc::auth_proof(secret + "x", "c1")));
  CHECK_FALSE(ipc::auth_proof_matches(ipc::auth_proof(secret, "c1"), ""));
  ::chmod(ipc::farm_secret_path(cache).c_str(), 0644);
  CHECK_THROWS_WITH(ipc::read_farm_secret(cache), Catch::Contains("mode 0600"));
}
