// Failures around the model server: the server killed mid-request, the
// client interrupted (Ctrl-C). Neither may leave a partial object.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include "audio/audio_reader.h"
#include "engines/audioldm2/audioldm2_engine.h"
#include "common/atomic_file.h"
#include "engines/audioldm2_fake_generator.h"

using namespace foley;
using namespace foley::testing;
using foley::ipc::ModelServerClient;
using foley::ipc::ModelServerClientOptions;
using foley::ipc::ServerAttempt;

namespace {

long long server_pid_of(const ipc::ModelServerClient& client) {
  try {
    auto j = nlohmann::json::parse(read_file(client.paths().pid_file));
    return j.value("pid", 0LL);
  } catch (...) {
    return 0;
  }
}

}  // namespace

TEST_CASE("kill -9 of the server mid-request: the client reports it, removes its temp file", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  m.step_ms = 30;
  ipc::ModelServerClientOptions o;
  o.cache_dir = cache;
  o.launch = fake_launcher(cache, m, tmp.path / "launches");
  ipc::ModelServerClient client(o);
  GenRequest req = fake_request(cache, 21, /*steps=*/50);
  CancelFlag cancel{false};
  long long killed = 0;
  auto progress = [&](double fraction, const std::string&) {
    if (killed == 0 && fraction > 0.0) {
      killed = server_pid_of(client);
      REQUIRE(killed > 0);
      ::kill(static_cast<pid_t>(killed), SIGKILL);
    }
  };
  ipc::ServerAttempt a = client.generate(req, req.object_path, progress, cancel);
  CHECK(a.outcome == ipc::ServerAttempt::Outcome::kDied);
  CHECK(a.server_pid == killed);
  CHECK_THAT(a.reason, Catch::Contains("pid " + std::to_string(killed)));
  CHECK_FALSE(fs::exists(req.object_path));
  CHECK(temp_files_under(cache / "objects") == 0);
}

TEST_CASE("the engine completes in-process when the server dies mid-generation", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel server_model;
  server_model.step_ms = 30;
  FakeModel local_model;
  local_model.load_log = tmp.path / "local_loads";

  engines::AudioLdm2EngineOptions opts;
  opts.loader = fake_loader(local_model);
  opts.launch = fake_launcher(cache, server_model, tmp.path / "launches");
  opts.handle_signals = false;
  engines::AudioLdm2Engine engine(opts);
  GenRequest req = fake_request(cache, 22, /*steps=*/50);
  fs::path pid_file = ipc::server_paths(cache).pid_file;
  long long killed = 0;
  auto progress = [&](double fraction, const std::string&) {
    if (killed == 0 && fraction > 0.0) {
      killed = nlohmann::json::parse(read_file(pid_file)).value("pid", 0LL);
      ::kill(static_cast<pid_t>(killed), SIGKILL);
    }
  };
  GenerationResult r = engine.generate(req, req.object_path, progress);
  CHECK(killed > 0);
  CHECK(count_lines(local_model.load_log) == 1);  // it ran here
  REQUIRE(fs::exists(req.object_path));
  CHECK(audio::probe_audio(req.object_path).frames == 4000);
  CHECK(r.details["seed"] == 22);
  CHECK(temp_files_under(cache / "objects") == 0);
}

TEST_CASE("the engine generates in-process when no server can be started", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel local_model;
  local_model.load_log = tmp.path / "local_loads";
  engines::AudioLdm2EngineOptions opts;
  opts.loader = fake_loader(local_model);
  opts.launch = [](const ipc::ServerPaths&) { throw Error::failure("no server binary here"); };
  opts.handle_signals = false;
  engines::AudioLdm2Engine engine(opts);
  GenRequest req = fake_request(cache, 23);
  engine.generate(req, req.object_path, {});
  CHECK(fs::exists(req.object_path));
  CHECK(count_lines(local_model.load_log) == 1);
}

namespace {

// Forks a process that runs the engine on `req` (server or in-process) with
// real signal handling; returns its pid.
pid_t fork_engine_client(const fs::path& cache, const GenRequest& req, const FakeModel& m, bool use_server,
                         const fs::path& launches) {
  pid_t pid = ::fork();
  if (pid == 0) {
    // A plain process's dispositions, not the test framework's crash handlers.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    engines::AudioLdm2EngineOptions opts;
    opts.loader = fake_loader(m);
    opts.launch = fake_launcher(cache, m, launches);
    opts.use_server = use_server;
    opts.handle_signals = true;
    int rc = 0;
    try {
      engines::AudioLdm2Engine engine(opts);
      engine.generate(req, req.object_path, {});
    } catch (const Error& e) {
      rc = e.exit_code() + 10;
    }
    ::_exit(rc);
  }
  return pid;
}

}  // namespace

TEST_CASE("Ctrl-C of a client cancels its request on the server and leaves no object", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  m.step_ms = 30;
  m.step_marker = tmp.path / "steps";
  GenRequest req = fake_request(cache, 31, /*steps=*/200);
  pid_t child = fork_engine_client(cache, req, m, /*use_server=*/true, tmp.path / "launches");
  REQUIRE(eventually([&] { return count_lines(m.step_marker) >= 2; }));
  ::kill(child, SIGINT);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGINT);

  ipc::ModelServerClientOptions o;
  o.cache_dir = cache;
  ipc::ModelServerClient client(o);
  // The server notices the hang-up, stops between steps and counts a failure.
  CHECK(eventually([&] {
    auto s = client.status();
    return s && (*s)["failed"] == 1 && (*s)["running"] == false;
  }));
  int steps_run = count_lines(m.step_marker);
  CHECK(steps_run < 200);
  CHECK_FALSE(fs::exists(req.object_path));
  CHECK(temp_files_under(cache / "objects") == 0);
  stop_server(cache);
}

TEST_CASE("Ctrl-C during an in-process generation leaves no object", "[model_server]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  m.step_ms = 30;
  m.step_marker = tmp.path / "steps";
  GenRequest req = fake_request(cache, 32, /*steps=*/200);
  pid_t child = fork_engine_client(cache, req, m, /*use_server=*/false, tmp.path / "launches");
  REQUIRE(eventually([&] { return count_lines(m.step_marker) >= 2; }));
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(count_lines(m.step_marker) < 200);
  CHECK_FALSE(fs::exists(req.object_path));
  CHECK(temp_files_under(cache / "objects") == 0);
  CHECK(count_lines(tmp.path / "launches") == 0);
}
