// LogCapture: what the resident server logs while answering a client's call
// goes back to that client, not to the server's stderr, and only the calling
// thread's messages are captured.
#include <catch2/catch.hpp>

#include <thread>

#include "common/log.h"

using namespace foley;

TEST_CASE("a LogCapture keeps its thread's messages, nests, and leaves other threads alone") {
  set_program_name("foley-gen");
  LogLevel before = log_level();
  set_log_level(LogLevel::kInfo);
  LogCapture outer;
  log_warning("retrying in 10 s");
  {
    LogCapture inner;
    log_info("inner only");
    CHECK(inner.take() == "foley-gen: inner only\n");
    CHECK(inner.take().empty());
  }
  log_error("gave up");
  std::string other;
  std::thread([&] {
    LogCapture theirs;
    log_info("from another thread");
    other = theirs.take();
  }).join();
  log_verbose("not at info level");
  CHECK(other == "foley-gen: from another thread\n");
  CHECK(outer.take() == "foley-gen: warning: retrying in 10 s\nfoley-gen: error: gave up\n");
  set_log_level(before);
}
