#include <catch2/catch.hpp>

#include "common/error.h"
#include "plan/text_normalize.h"

using foley::plan::normalize_prompt;

TEST_CASE("whitespace runs collapse and ends are trimmed") {
  CHECK(normalize_prompt("  door \t slam\n\n") == "door slam");
  CHECK(normalize_prompt("a\u00a0b") == "a b");           // no-break space is whitespace
  CHECK(normalize_prompt("a\u3000b") == "a b");           // ideographic space
  CHECK(normalize_prompt("") == "");
  CHECK(normalize_prompt(" \n ") == "");
}

TEST_CASE("prompts are NFC: composed and decomposed accents are one prompt") {
  CHECK(normalize_prompt("cafe\xcc\x81") == "caf\xc3\xa9");
  CHECK(normalize_prompt("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(normalize_prompt("雨の音") == "雨の音");
}

TEST_CASE("invalid UTF-8 is an error") { CHECK_THROWS_AS(normalize_prompt("bad \xff byte"), foley::Error); }
