#include <catch2/catch.hpp>

#include "plan/explain.h"

using nlohmann::json;

TEST_CASE("diff_fields names changed, added and removed fields") {
  json before = {{"gen", {{"prompt", "door"}, {"seed", 1}}}, {"render", {{"loudness", nullptr}, {"gain_db", 0.0}}}};
  json after = {{"gen", {{"prompt", "door slam"}, {"seed", 1}, {"loop", true}}},
                {"render", {{"loudness", -16.0}, {"gain_db", 0.0}}}};
  auto changes = foley::plan::diff_fields(before, after);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].name == "loop");
  CHECK(changes[0].before.is_null());
  CHECK(changes[1].name == "prompt");
  CHECK(changes[1].before == "door");
  CHECK(changes[1].after == "door slam");
  CHECK(changes[2].name == "render.loudness");
  CHECK(foley::plan::change_summary(changes) == "loop, prompt, render.loudness");
}

TEST_CASE("identical fields give no changes; a cue that became silence loses its gen fields") {
  json a = {{"gen", {{"prompt", "x"}}}, {"render", {{"clip", 1.0}}}};
  CHECK(foley::plan::diff_fields(a, a).empty());
  json silence = {{"gen", nullptr}, {"render", {{"clip", 1.0}}}};
  auto changes = foley::plan::diff_fields(a, silence);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].name == "prompt");
  CHECK(changes[0].after.is_null());
}
