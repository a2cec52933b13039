#include <catch2/catch.hpp>

#include "plan/delivery_names.h"
#include "plan/planner.h"

using namespace foley;

namespace {

struct FakeHasher : plan::ContentHasher {
  std::string file_hash(const std::filesystem::path& p) override { return "filehash:" + p.filename().string(); }
  std::string folder_hash(const std::filesystem::path&) override { return "modelhash"; }
};

manifest::Cue ucs_cue(const std::string& id, const std::string& cat_id) {
  manifest::Cue c;
  c.id = id;
  c.manifest = "ep1";
  c.type = "silence";
  c.clip = 1.0;
  c.category = cat_id;
  c.ucs_cat_id = cat_id;
  c.render.naming = "ucs";
  return c;
}

manifest::Project project_of(std::vector<manifest::Cue> cues) {
  manifest::Project p;
  p.config.root = "/proj";
  p.config.name = "my_show";
  p.config.cache_dir = "/proj/cache";
  p.config.output_dir = "/proj/out";
  p.cues = std::move(cues);
  return p;
}

}  // namespace

TEST_CASE("ucs_block makes any text a UCS name block") {
  CHECK(plan::ucs_block("door_slam", 25, "x") == "door slam");
  CHECK(plan::ucs_block("  a__b : c?  ", 25, "x") == "a b c");
  CHECK(plan::ucs_block("a_very_long_cue_id_that_goes_on_and_on", 25, "x") == "a very long cue id that g");
  CHECK(plan::ucs_block("ab.", 25, "x") == "ab");
  CHECK(plan::ucs_block("___", 25, "fallback") == "fallback");
  CHECK(plan::ucs_block("pluie d'été", 9, "x") == "pluie d'é");  // never cut inside a UTF-8 sequence
}

TEST_CASE("naming = ucs names the file CatID_FXName_CreatorID_SourceID and changes only the render") {
  FakeHasher h;
  manifest::Cue plain = ucs_cue("door_slam", "DOORWood");
  plain.render.naming = "cue";
  plan::Plan by_id = plan::make_plan(project_of({plain}), h);
  CHECK(by_id.cues[0].render.output_path == "/proj/out/ep1/door_slam.wav");
  CHECK_FALSE(by_id.cues[0].render.provenance.contains("ucs"));

  plan::Plan by_ucs = plan::make_plan(project_of({ucs_cue("door_slam", "DOORWood")}), h);
  const RenderRequest& r = by_ucs.cues[0].render;
  CHECK(r.output_path == "/proj/out/ep1/DOORWood_door slam_foley_my show.wav");
  CHECK(by_ucs.cues[0].render_key != by_id.cues[0].render_key);
  CHECK(by_ucs.cues[0].gen_key == by_id.cues[0].gen_key);
  CHECK(r.provenance["ucs"]["category"] == "DOORS");
  CHECK(r.provenance["ucs"]["subcategory"] == "WOOD");
  CHECK(r.provenance["ucs"]["fx_name"] == "door slam");

  manifest::Cue named = ucs_cue("door_slam", "DOORWood");
  named.fx_name = "Heavy Oak Slam";
  named.render.creator_id = "JD";
  named.render.source_id = "EP1";
  plan::Plan written = plan::make_plan(project_of({named}), h);
  CHECK(written.cues[0].render.output_path == "/proj/out/ep1/DOORWood_Heavy Oak Slam_JD_EP1.wav");
  CHECK(written.cues[0].render_key != by_ucs.cues[0].render_key);  // the blocks are in the iXML: a new render
}

TEST_CASE("UCS names that would be one file in a folder are numbered in cue order") {
  manifest::Cue a = ucs_cue("a", "DOORWood"), b = ucs_cue("b", "DOORWood"), c = ucs_cue("c", "DOORWood");
  a.fx_name = "Slam";
  b.fx_name = "SLAM";  // the same file on a case-insensitive file system
  c.fx_name = "Creak";
  manifest::Cue other = ucs_cue("d", "DOORWood");
  other.manifest = "ep2";
  other.fx_name = "Slam";  // another folder
  std::vector<plan::DeliveryName> names = plan::delivery_names({a, b, c, other}, "show");
  CHECK(names[0].stem == "DOORWood_Slam 01_foley_show");
  CHECK(names[1].stem == "DOORWood_SLAM 02_foley_show");
  CHECK(names[2].stem == "DOORWood_Creak_foley_show");
  CHECK(names[3].stem == "DOORWood_Slam_foley_show");
}

TEST_CASE("a UCS name that is another cue's file is an error naming both cues") {
  FakeHasher h;
  manifest::Cue ucs = ucs_cue("slam", "DOORWood");
  manifest::Cue by_id = ucs_cue("DOORWood_slam_foley_my show", "DOORWood");
  by_id.render.naming = "cue";
  CHECK_THROWS_WITH(plan::make_plan(project_of({ucs, by_id}), h),
                    Catch::Contains("the file of cue") && Catch::Contains("set `fx_name`"));
}
