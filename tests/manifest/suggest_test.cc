#include <catch2/catch.hpp>

#include "manifest/cue_resolver.h"
#include "manifest/diagnostics.h"
#include "common/suggest.h"

using namespace foley;
using namespace foley::manifest;

TEST_CASE("edit distance", "[manifest][suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("duration", "duration") == 0);
  CHECK(edit_distance("duraton", "duration") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("Prompt", "prompt") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("cdua", "cuda") == 1);  // a transposition is one typo
  CHECK(edit_distance("synht", "synth") == 1);
  CHECK(edit_distance("ab", "ba") == 1);
}

TEST_CASE("did you mean picks the closest close candidate", "[manifest][suggest]") {
  std::vector<std::string> fields = {"prompt", "negative_prompt", "duration", "engine", "seed"};
  CHECK(did_you_mean("promt", fields) == " (did you mean `prompt`?)");
  CHECK(did_you_mean("negative_promt", fields) == " (did you mean `negative_prompt`?)");
  CHECK(did_you_mean("enigne", fields) == " (did you mean `engine`?)");
  CHECK(did_you_mean("volume", fields) == "");
  CHECK(did_you_mean("xy", fields) == "");  // too short to guess
}

TEST_CASE("one_of lists values", "[manifest][suggest]") {
  CHECK(one_of({"a"}) == "`a`");
  CHECK(one_of({"a", "b", "c"}) == "`a`, `b` or `c`");
}

TEST_CASE("cue ids", "[manifest]") {
  CHECK(is_valid_cue_id("door"));
  CHECK(is_valid_cue_id("Door_2.v-1"));
  CHECK(is_valid_cue_id(std::string(128, 'a')));
  CHECK_FALSE(is_valid_cue_id(std::string(129, 'a')));
  CHECK_FALSE(is_valid_cue_id(""));
  CHECK_FALSE(is_valid_cue_id("_door"));
  CHECK_FALSE(is_valid_cue_id(".door"));
  CHECK_FALSE(is_valid_cue_id("a..b"));
  CHECK_FALSE(is_valid_cue_id("a/b"));
  CHECK_FALSE(is_valid_cue_id("a b"));
}

TEST_CASE("diagnostics format, order and merge duplicates", "[manifest]") {
  Diagnostics d;
  d.error(SourceLocation{"b.toml", 1, 1}, "", "", "late file");
  d.error(SourceLocation{"a.toml", 9, 2}, "x", "seed", "second");
  d.error(SourceLocation{"a.toml", 3, 4}, "x", "", "first");
  d.error(SourceLocation{"a.toml", 3, 4}, "x", "", "first");
  CHECK(d.str() == "b.toml:1:1: late file\na.toml:3:4: cue \"x\": first\na.toml:9:2: cue \"x\": field \"seed\": second");
  CHECK_THROWS_WITH(d.throw_if_any(), d.str());
  CHECK_NOTHROW(Diagnostics().throw_if_any());
}
