#include <catch2/catch.hpp>

#include "manifest/toml_guard.h"

using foley::manifest::find_unsafe_non_ascii;

TEST_CASE("non-ASCII inside strings and comments is fine", "[manifest][guard]") {
  CHECK_FALSE(find_unsafe_non_ascii("a = \"caf\xc3\xa9\" # \xc2\xa7 comment\n"));
  CHECK_FALSE(find_unsafe_non_ascii("a = 'caf\xc3\xa9'\n\"k\xc3\xa9y\" = 1\n"));
  CHECK_FALSE(find_unsafe_non_ascii("a = \"\"\"\nline \xc2\xa7\n\"\"\"\nb = '''\xce\x9c'''\n"));
  CHECK_FALSE(find_unsafe_non_ascii("a = \"esc \\\" \xc2\xa7\"\n"));
  CHECK_FALSE(find_unsafe_non_ascii("a = \"\"\"x\"\"\"\"\nb = 1 # \xc2\xa7\n"));  // """" closes with one quote
}

TEST_CASE("non-ASCII outside strings is reported with its position", "[manifest][guard]") {
  auto problem = find_unsafe_non_ascii("a = 1\n[cue\xce\x9c]\n");
  REQUIRE(problem);
  CHECK(problem->line == 2);
  CHECK(problem->col == 5);
  problem = find_unsafe_non_ascii("k = \"\xc3\xa9\" \xc2\xa7\n");
  REQUIRE(problem);
  CHECK(problem->line == 1);
  CHECK(problem->col == 9);  // columns count code points, not bytes
}

TEST_CASE("non-ASCII after a line-ending backslash is reported", "[manifest][guard]") {
  auto problem = find_unsafe_non_ascii("s = \"\"\"\\\n  \xc2\xa7\"\"\"\n");
  REQUIRE(problem);
  CHECK(problem->line == 2);
  CHECK(problem->col == 3);
  CHECK(problem->message.find("line-ending backslash") != std::string::npos);
  CHECK_FALSE(find_unsafe_non_ascii("s = \"\"\"\\\n  x\xc2\xa7\"\"\"\n"));
}
