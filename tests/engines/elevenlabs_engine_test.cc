// The ElevenLabs engine against the fake API server, one scenario per test:
// attempts made, waits asked for, final state of the object, no temp file
// left, and the ledger fields of the GenerationResult.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <thread>

#include "audio/audio_reader.h"
#include "engines/elevenlabs/elevenlabs_engine.h"
#include "engines/elevenlabs_fake_server.h"
#include "common/atomic_file.h"
#include "common/error.h"

using namespace foley;
using namespace foley::engines;
using foley::testing::FakeElevenLabs;
using foley::testing::FixedClock;
using foley::testing::RecordingSleeper;
using foley::testing::ScratchDir;
using nlohmann::json;

namespace {

constexpr std::time_t kNow = 1767225600;  // 2026-01-01 00:00:00 UTC
constexpr const char* kKey = "test-key-123";

// One scenario: a scratch dir, the server with its script, and an engine with fakes.
struct Scenario {
  ScratchDir dir;
  std::filesystem::path key_file = dir.path() / "api-key";
  std::filesystem::path objects = dir.path() / "objects" / "01";
  RecordingSleeper sleeper;
  FixedClock clock{kNow};
  std::optional<FakeElevenLabs> server;
  ElevenLabsEngine engine{ElevenLabsDeps{&sleeper, &clock, [] { return 0.5; }, {}, {}, {}}};

  explicit Scenario(const json& script, double delay = 0.0) {
    ::unsetenv("ELEVENLABS_API_KEY");
    std::ofstream(key_file) << kKey << "\n";  // trailing newline: the key file is trimmed
    server.emplace(dir.path(), script, kKey, delay);
  }

  GenRequest request(json key_fields = {}, json settings = {}) const {
    return foley::testing::make_request(server->base_url(), key_file, std::move(key_fields), std::move(settings));
  }

  std::filesystem::path out(const std::string& ext = "mp3") const {
    return objects / ("0123456789abcdef0123456789abcdef." + ext);
  }

  // Runs generate and returns the error message, or "" when it succeeded.
  std::string fail_message(const GenRequest& r, const std::string& ext = "mp3") {
    try {
      engine.generate(r, out(ext), nullptr);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  json requests() const { return server->log().at("requests"); }
};

std::string http_date(std::time_t t) {
  char buf[64];
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

TEST_CASE("elevenlabs: a 200 stores the MP3 as paid for and reads the ledger headers") {
  Scenario s(json::array());
  std::vector<double> fractions;
  GenerationResult r = s.engine.generate(s.request(), s.out(), [&](double f, const std::string&) {
    fractions.push_back(f);
  });
  CHECK(r.attempts == 1);
  CHECK(s.sleeper.waits().empty());
  CHECK(r.request_id == "req-1");
  CHECK(r.credits == Approx(80.0));  // the server's character-cost: 40/s × 2 s
  CHECK_FALSE(r.credits_estimated);
  CHECK(r.paid);
  CHECK(r.details.at("model_id") == "eleven_text_to_sound_v2");
  CHECK(r.details.at("output_format") == "mp3_44100_128");
  CHECK(r.details.at("attempt_history").size() == 1);
  CHECK(fractions.back() == 1.0);
  // The exact bytes paid for, and they decode.
  CHECK(read_file(s.out()) == read_file(std::string(FOLEY_SOURCE_DIR) + "/tools/fake_elevenlabs/sine_1s_44100.mp3"));
  CHECK(r.duration_seconds == Approx(audio::probe_audio(s.out()).duration_seconds));
  CHECK(r.duration_seconds == Approx(1.0).margin(0.05));
  CHECK(foley::testing::other_files(s.objects, s.out().filename()).empty());
  // The request, as the server saw it.
  json log = s.server->log();
  CHECK(log.at("violation_count") == 0);
  REQUIRE(log.at("requests").size() == 1);
  const json& req = log.at("requests")[0];
  CHECK(req.at("query") == "output_format=mp3_44100_128");
  CHECK(req.at("key_ok") == true);
  CHECK(req.at("body") == json{{"text", "a wooden door creaks open"},
                              {"duration_seconds", 2.0},
                              {"prompt_influence", 0.3},
                              {"loop", false},
                              {"model_id", "eleven_text_to_sound_v2"}});
}

TEST_CASE("elevenlabs: raw PCM is wrapped into a WAV whose length is the requested one") {
  Scenario s(json::array());
  auto req = s.request({{"output_format", "pcm_16000"}, {"duration", 1.5}});
  GenerationResult r = s.engine.generate(req, s.out("wav"), nullptr);
  std::string bytes = read_file(s.out("wav"));
  CHECK(bytes.substr(0, 4) == "RIFF");
  CHECK(bytes.substr(8, 4) == "WAVE");
  auto info = audio::probe_audio(s.out("wav"));
  CHECK(info.sample_rate == 16000);
  CHECK(info.frames == 24000);
  CHECK(r.duration_seconds == Approx(1.5));
  CHECK(foley::testing::other_files(s.objects, s.out("wav").filename()).empty());
}

TEST_CASE("elevenlabs: u-law and Ogg Opus answers are stored and measured") {
  Scenario s(json::array());
  GenerationResult r = s.engine.generate(s.request({{"output_format", "ulaw_8000"}, {"duration", 2.0}}),
                                         s.out("wav"), nullptr);
  CHECK(audio::probe_audio(s.out("wav")).sample_rate == 8000);
  CHECK(r.duration_seconds == Approx(2.0));
  GenerationResult o = s.engine.generate(s.request({{"output_format", "opus_48000_64"}}), s.out("opus"), nullptr);
  CHECK(o.duration_seconds == Approx(1.0).margin(0.05));
  CHECK(s.requests().size() == 2);
  CHECK(s.requests()[1].at("query") == "output_format=opus_48000_64");
}

TEST_CASE("elevenlabs: automatic length omits duration_seconds and estimates credits without the header") {
  Scenario s(json::array({{{"status", 200}, {"cost", nullptr}}}));
  GenerationResult r = s.engine.generate(s.request({{"duration", "auto"}}), s.out(), nullptr);
  CHECK(r.credits == Approx(100.0));
  CHECK(r.credits_estimated);
  CHECK_FALSE(s.requests()[0].at("body").contains("duration_seconds"));
  CHECK(r.details.at("requested_duration") == "auto");
}

TEST_CASE("elevenlabs: without character-cost a fixed length is estimated at credits_per_second") {
  Scenario s(json::array({{{"status", 200}, {"cost", nullptr}, {"request_id", nullptr}}}));
  GenerationResult r = s.engine.generate(s.request({{"duration", 3.0}}, {{"credits_per_second", 25}}), s.out(), nullptr);
  CHECK(r.credits == Approx(75.0));
  CHECK(r.credits_estimated);
  CHECK(r.request_id.empty());
}

TEST_CASE("elevenlabs: 429 with Retry-After in seconds waits exactly that long") {
  Scenario s(json::array({{{"status", 429}, {"retry_after", "7"}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(s.sleeper.waits() == std::vector<double>{7.0});
  CHECK(r.request_id == "req-2");
  CHECK(std::filesystem::exists(s.out()));
  CHECK(foley::testing::other_files(s.objects, s.out().filename()).empty());
  CHECK(r.details.at("attempt_history")[0].at("status") == 429);
}

TEST_CASE("elevenlabs: 429 with Retry-After as an HTTP date waits until that date") {
  Scenario s(json::array({{{"status", 429}, {"retry_after", http_date(kNow + 12)}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(s.sleeper.waits() == std::vector<double>{12.0});
}

TEST_CASE("elevenlabs: 429 without Retry-After backs off linearly with jitter") {
  Scenario s(json::array({{{"status", 429}}, {{"status", 429}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 3);
  // 10 s × attempt + 0.5 × jitter_seconds (2).
  CHECK(s.sleeper.waits() == std::vector<double>{11.0, 21.0});
}

TEST_CASE("elevenlabs: 500 then 502 then 200 succeeds on the third attempt") {
  Scenario s(json::array({{{"status", 500}}, {{"status", 502}}}));
  GenerationResult r = s.engine.generate(s.request({}, {{"jitter_seconds", 0}}), s.out(), nullptr);
  CHECK(r.attempts == 3);
  CHECK(s.sleeper.waits() == std::vector<double>{10.0, 20.0});
  const json& h = r.details.at("attempt_history");
  REQUIRE(h.size() == 3);
  CHECK(h[0].at("status") == 500);
  CHECK(h[1].at("status") == 502);
  CHECK(h[2].at("status") == 200);
  CHECK(r.request_id == "req-3");
  CHECK(s.requests().size() == 3);
}

TEST_CASE("elevenlabs: a 503 carrying Retry-After waits what the server asks") {
  Scenario s(json::array({{{"status", 503}, {"retry_after", "3"}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(s.sleeper.waits() == std::vector<double>{3.0});
}

TEST_CASE("elevenlabs: generate is safe on several threads at once") {
  Scenario s(json::array({{{"status", 500}}, {{"action", "reset"}}}), 0.05);
  std::vector<std::thread> threads;
  std::vector<GenerationResult> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      GenRequest r = s.request({{"prompt", "thread " + std::to_string(i)}});
      results[i] = s.engine.generate(r, s.objects / ("t" + std::to_string(i) + ".mp3"), nullptr);
    });
  }
  for (auto& t : threads) t.join();
  int attempts = 0;
  for (int i = 0; i < 4; ++i) {
    attempts += results[i].attempts;
    CHECK(audio::probe_audio(s.objects / ("t" + std::to_string(i) + ".mp3")).frames > 0);
  }
  CHECK(attempts == 6);  // two of the four met a scripted failure and retried once
  CHECK(s.requests().size() == 6);
  CHECK(s.sleeper.waits().size() == 2);
  CHECK(foley::testing::other_files(s.objects).size() == 4);  // the objects, and no temp file
}

TEST_CASE("elevenlabs: 503 on every attempt gives up after max_attempts, leaving nothing") {
  json script = json::array();
  for (int i = 0; i < 5; ++i) script.push_back({{"status", 503}});
  Scenario s(script);
  std::string msg = s.fail_message(s.request({}, {{"max_attempts", 4}}));
  CHECK_THAT(msg, Catch::Contains("after 4 attempt(s)"));
  CHECK_THAT(msg, Catch::Contains("HTTP 503"));
  CHECK(s.sleeper.waits() == std::vector<double>{11.0, 21.0, 31.0});
  CHECK(s.requests().size() == 4);
  CHECK_FALSE(std::filesystem::exists(s.out()));
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: a connection reset in the middle of the body is retried") {
  Scenario s(json::array({{{"action", "reset"}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(s.sleeper.waits() == std::vector<double>{11.0});
  CHECK(r.details.at("attempt_history")[0].contains("error"));
  // Only the second, whole body is kept.
  CHECK(std::filesystem::file_size(s.out()) == r.details.at("bytes").get<uint64_t>());
  CHECK(audio::probe_audio(s.out()).frames > 0);
  CHECK(foley::testing::other_files(s.objects, s.out().filename()).empty());
}

TEST_CASE("elevenlabs: a body shorter than its Content-Length is retried") {
  Scenario s(json::array({{{"action", "short_body"}}, {{"action", "short_body"}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 3);
  CHECK(s.sleeper.waits() == std::vector<double>{11.0, 21.0});
  CHECK(r.details.at("attempt_history")[0].at("error") == "body truncated");
  CHECK(read_file(s.out()).size() == r.details.at("bytes").get<uint64_t>());
}

TEST_CASE("elevenlabs: a stalled body is abandoned after stall_seconds and retried") {
  Scenario s(json::array({{{"action", "stall"}, {"seconds", 6}}}));
  GenerationResult r = s.engine.generate(s.request({}, {{"stall_seconds", 1}}), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(r.details.at("attempt_history")[0].at("error") == "transfer stalled");
  CHECK(s.sleeper.waits() == std::vector<double>{11.0});
  CHECK(foley::testing::other_files(s.objects, s.out().filename()).empty());
}

TEST_CASE("elevenlabs: an attempt over the whole-exchange timeout is abandoned and retried") {
  Scenario s(json::array({{{"action", "stall"}, {"seconds", 5}}}));
  GenerationResult r = s.engine.generate(s.request({}, {{"stall_seconds", 0}, {"timeout", 1}}), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(r.details.at("attempt_history")[0].at("error") == "timed out");
  CHECK(s.sleeper.waits() == std::vector<double>{11.0});
  CHECK(foley::testing::other_files(s.objects, s.out().filename()).empty());
}

TEST_CASE("elevenlabs: an empty 200 is not accepted and is retried") {
  Scenario s(json::array({{{"status", 200}, {"audio", "empty"}}}));
  GenerationResult r = s.engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(r.details.at("attempt_history")[0].at("error") == "empty body");
  CHECK(std::filesystem::file_size(s.out()) > 0);
}

TEST_CASE("elevenlabs: a 200 that does not decode fails without a second paid call") {
  Scenario s(json::array({{{"status", 200}, {"audio", "garbage"}}}));
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("is not valid audio"));
  CHECK_THAT(msg, Catch::Contains("request-id req-1"));
  CHECK(s.requests().size() == 1);
  CHECK(s.sleeper.waits().empty());
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: an undecodable 200 is an UnusableAnswer carrying its cost and bytes, no temp path") {
  Scenario s(json::array({{{"status", 200}, {"audio", "garbage"}, {"cost", 170}}}));
  try {
    s.engine.generate(s.request(), s.out(), nullptr);
    FAIL("garbage accepted");
  } catch (const foley::UnusableAnswer& e) {
    CHECK(e.kind() == Error::Kind::kFailure);
    CHECK(e.result.credits == 170);
    CHECK_FALSE(e.result.credits_estimated);
    CHECK(e.result.request_id == "req-1");
    CHECK(e.result.paid);
    CHECK(e.bytes == [] { std::string g; for (int i = 0; i < 40; ++i) g += "this is not audio at all "; return g; }());
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("(gen key "));
    CHECK_THAT(msg, !Catch::Contains(".tmp-"));
    CHECK_THAT(msg, !Catch::Contains("File does not exist"));
    CHECK_THAT(e.reason, !Catch::Contains(".tmp-"));
  }
  CHECK(s.requests().size() == 1);
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: 401 fails at once quoting the server and the request-id") {
  Scenario s(json::array(
      {{{"status", 401}, {"body", {{"detail", {{"status", "invalid_api_key"}, {"message", "Invalid API key"}}}}}}}));
  Error::Kind kind = Error::Kind::kFailure;
  std::string msg;
  try {
    s.engine.generate(s.request(), s.out(), nullptr);
  } catch (const Error& e) {
    msg = e.what();
    kind = e.kind();
  }
  CHECK(kind == Error::Kind::kInput);
  CHECK_THAT(msg, Catch::Contains("cue ep1/door"));
  CHECK_THAT(msg, Catch::Contains("HTTP 401 invalid_api_key: Invalid API key"));
  CHECK_THAT(msg, Catch::Contains("request-id req-1"));
  CHECK(s.requests().size() == 1);
  CHECK(s.sleeper.waits().empty());
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: 422 with a FastAPI detail list fails at once with each message") {
  json body = {{"detail",
                json::array({{{"loc", {"body", "duration_seconds"}}, {"msg", "ensure this value is <= 30"},
                              {"type", "value_error.number.not_le"}},
                             {{"loc", {"body", "text"}}, {"msg", "field required"}, {"type", "value_error.missing"}}})}};
  Scenario s(json::array({{{"status", 422}, {"body", body}}}));
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("body.duration_seconds: ensure this value is <= 30 (value_error.number.not_le)"));
  CHECK_THAT(msg, Catch::Contains("body.text: field required"));
  CHECK_THAT(msg, Catch::Contains("request-id req-1"));
  CHECK(s.requests().size() == 1);
  CHECK(s.sleeper.waits().empty());
}

TEST_CASE("elevenlabs: 422 with a detail object quotes message, param and the body's request_id") {
  json body = {{"detail",
                {{"type", "validation_error"}, {"code", "invalid_parameters"}, {"message", "Prompt is too long"},
                 {"status", "invalid_parameters"}, {"request_id", "body-rid-9"}, {"param", "text"}}}};
  Scenario s(json::array({{{"status", 422}, {"body", body}, {"headers", {{"request-id", ""}}}}}));
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("HTTP 422 invalid_parameters: Prompt is too long"));
  CHECK_THAT(msg, Catch::Contains("param text"));
  CHECK_THAT(msg, Catch::Contains("request-id body-rid-9"));
  CHECK(s.requests().size() == 1);
}

TEST_CASE("elevenlabs: quota exhaustion is fatal whatever the status") {
  auto status = GENERATE(401, 429, 400);
  Scenario s(json::array({{{"status", status},
                           {"retry_after", "3"},
                           {"body", {{"detail", {{"status", "quota_exceeded"}, {"message", "You have 12 credits left"}}}}}}}));
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("quota exhausted"));
  CHECK_THAT(msg, Catch::Contains("You have 12 credits left"));
  CHECK(s.requests().size() == 1);
  CHECK(s.sleeper.waits().empty());
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: a refused connection is retried up to max_attempts") {
  ScratchDir dir;
  // A port with nothing listening: bind one, then close it.
  int port;
  {
    FakeElevenLabs tmp(dir.path());
    port = tmp.port();
  }
  auto key_file = dir.path() / "key";
  std::ofstream(key_file) << kKey;
  ::unsetenv("ELEVENLABS_API_KEY");
  RecordingSleeper sleeper;
  FixedClock clock(kNow);
  ElevenLabsEngine engine(ElevenLabsDeps{&sleeper, &clock, [] { return 0.0; }, {}, {}, {}});
  auto req = foley::testing::make_request("http://127.0.0.1:" + std::to_string(port), key_file, {},
                                          {{"max_attempts", 3}, {"backoff_seconds", 4}});
  auto out = dir.path() / "objects" / "x.mp3";
  CHECK_THROWS_WITH(engine.generate(req, out, nullptr), Catch::Contains("connection failed") &&
                                                            Catch::Contains("after 3 attempt(s)"));
  CHECK(sleeper.waits() == std::vector<double>{4.0, 8.0});
  CHECK(foley::testing::other_files(out.parent_path()).empty());
}

TEST_CASE("elevenlabs: a 4xx other than 401/422/429 fails at once") {
  Scenario s(json::array({{{"status", 404}, {"body", "Not Found"}}}));
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("HTTP 404: Not Found"));
  CHECK(s.requests().size() == 1);
}

TEST_CASE("elevenlabs: the environment key wins over the key file, and a trailing slash in base_url is dropped") {
  Scenario s(json::array());
  ::setenv("ELEVENLABS_API_KEY", kKey, 1);
  auto req = s.request({}, {{"api_key_file", (s.dir.path() / "no-such-file").string()},
                            {"base_url", s.server->base_url() + "/"}});
  s.engine.generate(req, s.out(), nullptr);
  ::unsetenv("ELEVENLABS_API_KEY");
  CHECK(s.requests()[0].at("key_ok") == true);
  CHECK(s.requests()[0].at("path") == "/v1/sound-generation");
  CHECK(s.server->log().at("violation_count") == 0);
}

TEST_CASE("elevenlabs: a wrong key is a violation the fake server refuses, and it is not retried") {
  Scenario s(json::array());
  std::ofstream(s.key_file) << "some-other-key";
  std::string msg = s.fail_message(s.request());
  CHECK_THAT(msg, Catch::Contains("HTTP 400"));
  CHECK(s.requests().size() == 1);
  CHECK(s.requests()[0].at("key_ok") == false);
  CHECK(foley::testing::other_files(s.objects).empty());
}

TEST_CASE("elevenlabs: the request hooks wrap each HTTP attempt, never the backoff between attempts") {
  Scenario s(json::array({{{"status", 500}}}));  // then the default 200
  struct InFlightSleeper : engines::Sleeper {
    const int* in_flight = nullptr;
    std::vector<int> seen;
    void sleep(double) override { seen.push_back(*in_flight); }
  };
  int in_flight = 0, before = 0, after = 0;
  InFlightSleeper sleeper;
  sleeper.in_flight = &in_flight;
  ElevenLabsDeps deps{&sleeper, &s.clock, [] { return 0.5; }, {}, {}, {}};
  deps.before_request = [&] { ++before, ++in_flight; };
  deps.after_request = [&] { ++after, --in_flight; };
  ElevenLabsEngine engine(std::move(deps));
  GenerationResult r = engine.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 2);
  CHECK(before == 2);
  CHECK(after == 2);
  CHECK(in_flight == 0);
  CHECK(sleeper.seen == std::vector<int>{0});  // the slot was free while waiting to retry
}

TEST_CASE("elevenlabs: a reused connection carries the key of the call that uses it, not the last one's") {
  Scenario s(json::array());
  // The same process makes both calls (libcurl handles and their connections
  // are pooled): the first with a wrong key from its caller, then the right one.
  ElevenLabsEngine wrong(ElevenLabsDeps{&s.sleeper, &s.clock, [] { return 0.0; }, std::string("sk-wrong"), {}, {}});
  std::string message;
  try {
    wrong.generate(s.request(), s.out(), nullptr);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains("not the expected key"));
  ElevenLabsEngine right(ElevenLabsDeps{&s.sleeper, &s.clock, [] { return 0.0; }, std::string(kKey), {}, {}});
  GenerationResult r = right.generate(s.request(), s.out(), nullptr);
  CHECK(r.attempts == 1);
  json log = s.server->log();
  REQUIRE(log.at("requests").size() == 2);
  CHECK(log.at("requests")[0].at("key_ok") == false);
  CHECK(log.at("requests")[1].at("key_ok") == true);
  CHECK_THAT(message, !Catch::Contains("sk-wrong"));  // never quoted back
}
