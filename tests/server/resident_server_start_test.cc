// The resident model server's life cycle: one server for many clients, idle
// exit, stale sockets, status/stop (with a fake, fast generator).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <set>

#include "audio/audio_reader.h"
#include "ipc/paths.h"
#include "engines/audioldm2_fake_generator.h"

using namespace foley;
using namespace foley::testing;
using foley::ipc::ModelServerClient;
using foley::ipc::ModelServerClientOptions;
using foley::ipc::ServerAttempt;

namespace {

ipc::ModelServerClientOptions client_options(const fs::path& cache, const FakeModel& m, const fs::path& launches,
                                        double idle = 60.0) {
  ipc::ModelServerClientOptions o;
  o.cache_dir = cache;
  o.launch = fake_launcher(cache, m, launches, idle);
  o.idle_timeout_seconds = idle;
  return o;
}

}  // namespace

TEST_CASE("8 clients arriving at once start exactly one model server", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  fs::path launches = tmp.path / "launches";
  FakeModel m;
  m.step_ms = 20;
  m.load_log = tmp.path / "loads";

  std::vector<pid_t> children;
  for (int i = 0; i < 8; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int rc = 3;
      try {
        ipc::ModelServerClient client(client_options(cache, m, launches));
        GenRequest req = fake_request(cache, 100 + i);
        CancelFlag cancel{false};
        ipc::ServerAttempt a = client.generate(req, req.object_path, {}, cancel);
        append_line(tmp.path / "server_pids", std::to_string(a.server_pid));
        rc = a.outcome == ipc::ServerAttempt::Outcome::kDone ? 0 : 4;
      } catch (...) {
        rc = 5;
      }
      ::_exit(rc);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(count_lines(launches) == 1);
  CHECK(count_lines(m.load_log) == 1);  // the model was loaded once, by the server
  std::ifstream in(tmp.path / "server_pids");
  std::set<std::string> pids;
  for (std::string line; std::getline(in, line);) pids.insert(line);
  CHECK(pids.size() == 1);
  for (int i = 0; i < 8; ++i) {
    GenRequest req = fake_request(cache, 100 + i);
    REQUIRE(fs::exists(req.object_path));
    audio::AudioInfo info = audio::probe_audio(req.object_path);
    CHECK(info.sample_rate == 16000);
    CHECK(info.channels == 1);
    CHECK(info.frames == 4000);
  }
  CHECK(temp_files_under(cache / "objects") == 0);

  // status reports the one server and what it served.
  ipc::ModelServerClient client(client_options(cache, m, launches));
  auto status = client.status();
  REQUIRE(status);
  CHECK(std::to_string((*status)["pid"].get<long long>()) == *pids.begin());
  CHECK((*status)["served"] == 8);
  CHECK((*status)["models"].size() == 1);
  stop_server(cache);
  CHECK_FALSE(client.status());
}

TEST_CASE("the server lives in a private directory", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  ipc::ModelServerClient client(client_options(cache, m, tmp.path / "launches"));
  GenRequest req = fake_request(cache, 1);
  CancelFlag cancel{false};
  REQUIRE(client.generate(req, req.object_path, {}, cancel).outcome == ipc::ServerAttempt::Outcome::kDone);
  struct stat st;
  REQUIRE(::stat(client.paths().dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat(client.paths().socket.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  stop_server(cache);
}

TEST_CASE("an idle server exits after its idle timeout and a later client starts a new one", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  fs::path launches = tmp.path / "launches";
  FakeModel m;
  ipc::ModelServerClient client(client_options(cache, m, launches, /*idle=*/0.5));
  GenRequest req = fake_request(cache, 7);
  CancelFlag cancel{false};
  ipc::ServerAttempt a = client.generate(req, req.object_path, {}, cancel);
  REQUIRE(a.outcome == ipc::ServerAttempt::Outcome::kDone);
  REQUIRE(a.server_pid > 0);
  CHECK(eventually([&] { return !process_alive(a.server_pid); }));
  CHECK_FALSE(fs::exists(client.paths().socket));
  CHECK_FALSE(fs::exists(client.paths().pid_file));
  CHECK_FALSE(client.status());

  GenRequest req2 = fake_request(cache, 8);
  ipc::ServerAttempt b = client.generate(req2, req2.object_path, {}, cancel);
  CHECK(b.outcome == ipc::ServerAttempt::Outcome::kDone);
  CHECK(b.server_pid != a.server_pid);
  CHECK(count_lines(launches) == 2);
  stop_server(cache);
}

TEST_CASE("a socket left by a killed server is detected and replaced", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  fs::path launches = tmp.path / "launches";
  FakeModel m;
  ipc::ModelServerClient client(client_options(cache, m, launches));
  GenRequest req = fake_request(cache, 11);
  CancelFlag cancel{false};
  ipc::ServerAttempt a = client.generate(req, req.object_path, {}, cancel);
  REQUIRE(a.outcome == ipc::ServerAttempt::Outcome::kDone);
  REQUIRE(::kill(static_cast<pid_t>(a.server_pid), SIGKILL) == 0);
  REQUIRE(eventually([&] { return !process_alive(a.server_pid); }));
  CHECK(fs::exists(client.paths().socket));  // stale: nobody listens
  CHECK_FALSE(client.status());

  GenRequest req2 = fake_request(cache, 12);
  ipc::ServerAttempt b = client.generate(req2, req2.object_path, {}, cancel);
  CHECK(b.outcome == ipc::ServerAttempt::Outcome::kDone);
  CHECK(b.server_pid != a.server_pid);
  CHECK(count_lines(launches) == 2);
  CHECK(fs::exists(req2.object_path));
  stop_server(cache);
}

TEST_CASE("a second server for the same cache exits at once", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  ipc::ModelServerClient client(client_options(cache, m, tmp.path / "launches"));
  std::string reason;
  REQUIRE(client.connect_or_start(&reason).valid());
  server::ModelServerOptions o;
  o.cache_dir = cache;
  server::ModelServer second(o, fake_loader(m));
  CHECK(second.run(/*handle_signals=*/false) == 0);  // returns instead of serving
  CHECK(client.status());  // the first one still answers
  stop_server(cache);
}

TEST_CASE("errors the server reports reach the client as foley::Error", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  ipc::ModelServerClient client(client_options(cache, m, tmp.path / "launches"));
  CancelFlag cancel{false};

  GenRequest bad = fake_request(cache, 3);
  bad.key_fields["scheduler"] = "euler";
  try {
    client.generate(bad, bad.object_path, {}, cancel);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 2);
    CHECK_THAT(e.what(), Catch::Contains("scheduler") && Catch::Contains("euler"));
  }
  GenRequest missing = fake_request(cache, 4);
  missing.settings["model"] = "/missing/model";
  CHECK_THROWS_WITH(client.generate(missing, missing.object_path, {}, cancel), Catch::Contains("/missing/model"));
  CHECK_FALSE(fs::exists(missing.object_path));

  // The server keeps serving after errors.
  GenRequest good = fake_request(cache, 5);
  CHECK(client.generate(good, good.object_path, {}, cancel).outcome == ipc::ServerAttempt::Outcome::kDone);
  stop_server(cache);
}

TEST_CASE("status and stop without a server", "[model_server]") {
  TempDir tmp;
  ipc::ModelServerClientOptions o;
  o.cache_dir = tmp.path / "cache";
  ipc::ModelServerClient client(o);
  CHECK_FALSE(client.status());
  CHECK_FALSE(client.stop());
  std::string reason;
  CHECK_FALSE(client.connect_or_start(&reason).valid());  // no launcher: never starts one
  CHECK_THAT(reason, Catch::Contains("no resident server"));
}

TEST_CASE("server paths fall back to a short socket path for deep cache directories", "[model_server]") {
  fs::path deep = "/tmp/" + std::string(120, 'd') + "/cache";
  ipc::ServerPaths p = ipc::server_paths(deep);
  CHECK(p.dir == deep / "server");
  CHECK(p.socket.native().size() <= 107);
  CHECK(p.socket.parent_path() != p.dir);
  ipc::ServerPaths q = ipc::server_paths("/tmp/short/cache");
  CHECK(q.socket == fs::path("/tmp/short/cache/server/socket"));
}
