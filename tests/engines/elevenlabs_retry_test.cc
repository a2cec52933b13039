// Retry policy and Retry-After parsing, with a fixed clock.
#include <catch2/catch.hpp>

#include "engines/elevenlabs/api_error.h"
#include "engines/elevenlabs_fake_server.h"
#include "engines/elevenlabs/retry.h"

using namespace foley::engines;

namespace {
constexpr std::time_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
}

TEST_CASE("retry: Retry-After in seconds") {
  foley::testing::FixedClock clock(kNow);
  CHECK(parse_retry_after("7", clock) == 7.0);
  CHECK(parse_retry_after(" 2.5 ", clock) == 2.5);
  CHECK(parse_retry_after("0", clock) == 0.0);
  CHECK_FALSE(parse_retry_after("", clock));
  CHECK_FALSE(parse_retry_after("-3", clock));
  CHECK_FALSE(parse_retry_after("soon", clock));
}

TEST_CASE("retry: Retry-After as an HTTP date in its three forms") {
  foley::testing::FixedClock clock(kNow);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:57 GMT", clock) == 20.0);
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", clock) == 60.0);
  CHECK(parse_retry_after("Sun Nov  6 08:49:40 1994", clock) == 3.0);
  // A date in the past means "now".
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", clock) == 0.0);
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:57", clock));
}

TEST_CASE("retry: linear backoff with jitter, and Retry-After capped") {
  foley::testing::FixedClock clock(kNow);
  RetryPolicy p;
  p.backoff_seconds = 10;
  p.jitter_seconds = 4;
  p.max_retry_after = 60;
  CHECK(p.backoff_delay(1, 0.0) == 10.0);
  CHECK(p.backoff_delay(2, 0.5) == 22.0);
  CHECK(p.backoff_delay(3, 0.999) == Approx(33.996));
  CHECK(p.delay_after_rate_limit("7", 3, 0.5, clock) == 7.0);
  CHECK(p.delay_after_rate_limit("3600", 1, 0.5, clock) == 60.0);
  CHECK(p.delay_after_rate_limit("", 2, 0.0, clock) == 20.0);
  CHECK(p.delay_after_rate_limit("whenever", 1, 0.25, clock) == 11.0);
}

TEST_CASE("api error: the list shape, the object shape, and bodies that are neither") {
  auto list = parse_elevenlabs_api_error(
      R"({"detail":[{"loc":["body","prompt_influence"],"msg":"must be <= 1","type":"value_error"}]})");
  CHECK(list.message == "body.prompt_influence: must be <= 1 (value_error)");
  CHECK(list.code == "value_error");
  CHECK_FALSE(list.quota_exceeded);

  auto obj = parse_elevenlabs_api_error(
      R"({"detail":{"type":"validation_error","code":"invalid_parameters","message":"bad","status":"x","request_id":"r1","param":"text"}})");
  CHECK(obj.message == "bad");
  CHECK(obj.code == "invalid_parameters");
  CHECK(obj.request_id == "r1");
  CHECK(obj.param == "text");

  auto legacy = parse_elevenlabs_api_error(R"({"detail":{"status":"quota_exceeded","message":"no credits"}})");
  CHECK(legacy.quota_exceeded);
  CHECK(legacy.code == "quota_exceeded");
  CHECK(parse_elevenlabs_api_error(R"({"detail":{"code":"quota_exceeded"}})").quota_exceeded);

  CHECK(parse_elevenlabs_api_error(R"({"detail":"plain words"})").message == "plain words");
  CHECK(parse_elevenlabs_api_error("<html>Bad\nGateway</html>").message == "<html>Bad Gateway</html>");
  CHECK(parse_elevenlabs_api_error(std::string(1000, 'x')).message.size() == 303);
  CHECK(parse_elevenlabs_api_error("").message.empty());
}
