// The API key must never reach an error message or a log line, even when the
// server echoes it back.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "engines/elevenlabs/elevenlabs_engine.h"
#include "engines/elevenlabs_fake_server.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"

using namespace foley;
using namespace foley::engines;
using nlohmann::json;

namespace {

constexpr const char* kPlanted = "PLANTED-SECRET-7f3a9c";

// Runs `fn` with stderr redirected to a file; returns what was written there.
template <typename Fn>
std::string capture_stderr(const std::filesystem::path& file, Fn fn) {
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 2);
  ::close(fd);
  try {
    fn();
  } catch (...) {
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    throw;
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  return read_file(file);
}

}  // namespace

TEST_CASE("elevenlabs: the key appears in no error message or log line, even when the server echoes it") {
  foley::testing::ScratchDir dir;
  std::string echo = std::string("Invalid API key '") + kPlanted + "'";
  json script = json::array({{{"status", 500}, {"body", {{"detail", {{"status", "oops"}, {"message", echo}}}}}},
                             {{"status", 401}, {"body", {{"detail", {{"status", "invalid_api_key"}, {"message", echo}}}}}}});
  foley::testing::FakeElevenLabs server(dir.path(), script, kPlanted);
  ::setenv("ELEVENLABS_API_KEY", kPlanted, 1);
  foley::testing::RecordingSleeper sleeper;
  ElevenLabsEngine engine(ElevenLabsDeps{&sleeper, nullptr, [] { return 0.0; }, {}, {}, {}});
  auto req = foley::testing::make_request(server.base_url(), {}, {}, {{"api_key_file", nullptr}});
  LogLevel before = log_level();
  set_log_level(LogLevel::kVerbose);
  std::string message;
  std::string logged = capture_stderr(dir.path() / "stderr.txt", [&] {
    try {
      engine.generate(req, dir.path() / "obj.mp3", nullptr);
    } catch (const Error& e) {
      message = e.what();
    }
  });
  set_log_level(before);
  ::unsetenv("ELEVENLABS_API_KEY");
  // The key was really sent (the server accepted it), and the failure path was exercised.
  REQUIRE(server.log().at("requests").size() == 2);
  CHECK(server.log().at("requests")[0].at("key_ok") == true);
  CHECK_THAT(logged, Catch::Contains("retrying"));
  CHECK_THAT(message, Catch::Contains("Invalid API key '<api key>'"));
  CHECK(message.find(kPlanted) == std::string::npos);
  CHECK(logged.find(kPlanted) == std::string::npos);
  // The server's log never holds it either.
  CHECK(read_file(dir.path() / "server-log.json").find(kPlanted) == std::string::npos);
}

TEST_CASE("elevenlabs: a missing key names both ways to give one and the local alternative") {
  foley::testing::ScratchDir dir;
  ::unsetenv("ELEVENLABS_API_KEY");
  ElevenLabsEngine engine;
  auto req = foley::testing::make_request("http://127.0.0.1:9", {}, {}, {{"api_key_file", nullptr}});
  try {
    engine.generate(req, dir.path() / "obj.mp3", nullptr);
    FAIL("no error");
  } catch (const Error& e) {
    std::string m = e.what();
    CHECK(e.kind() == Error::Kind::kInput);
    CHECK_THAT(m, Catch::Contains("ELEVENLABS_API_KEY"));
    CHECK_THAT(m, Catch::Contains("api_key_file"));
    CHECK_THAT(m, Catch::Contains("audioldm2"));
    CHECK_THAT(m, Catch::Contains("sfx-api"));
  }
  CHECK(foley::testing::other_files(dir.path()).empty());
}

TEST_CASE("elevenlabs: an unreadable or empty key file is an error naming the file, not its content") {
  foley::testing::ScratchDir dir;
  ::unsetenv("ELEVENLABS_API_KEY");
  ElevenLabsEngine engine;
  auto missing = dir.path() / "missing-key";
  CHECK_THROWS_WITH(engine.generate(foley::testing::make_request("http://127.0.0.1:9", missing), dir.path() / "o.mp3",
                                    nullptr),
                    Catch::Contains("cannot read the ElevenLabs API key file " + missing.string()));
  auto empty = dir.path() / "empty-key";
  std::ofstream(empty) << "  \n";
  CHECK_THROWS_WITH(engine.generate(foley::testing::make_request("http://127.0.0.1:9", empty), dir.path() / "o.mp3",
                                    nullptr),
                    Catch::Contains("is empty"));
}
