#include <catch2/catch.hpp>

#include "common/error.h"
#include "plan/ninja_writer.h"

using namespace foley::plan;

TEST_CASE("paths on build lines escape $, space and colon") {
  CHECK(ninja_escape_path("out/ep 1/a:b$c.wav") == "out/ep$ 1/a$:b$$c.wav");
  CHECK(ninja_escape_path("plain/path.wav") == "plain/path.wav");
  CHECK_THROWS_AS(ninja_escape_path("bad\nname"), foley::Error);
}

TEST_CASE("values escape only $") { CHECK(ninja_escape_value("a b:$c") == "a b:$$c"); }

TEST_CASE("shell quoting survives quotes, spaces and dollars") {
  CHECK(shell_quote("simple/path-1.json") == "simple/path-1.json");
  CHECK(shell_quote("has space") == "'has space'");
  CHECK(shell_quote("it's $HOME") == "'it'\\''s $HOME'");
  CHECK(shell_quote("") == "''");
}
