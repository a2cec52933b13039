#include <catch2/catch.hpp>

#include <filesystem>

#include "plan/ninja_writer.h"
#include "plan/planner.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

struct FakeHasher : plan::ContentHasher {
  std::string file_hash(const fs::path& p) override { return "filehash:" + p.filename().string(); }
  std::string folder_hash(const fs::path& dir) override { return "folder:" + dir.string(); }
};

// One exec cue `door` with `takes` takes; the profile ranks with `rank_model` when given.
manifest::Project project(int takes, std::optional<std::string> rank_model = std::nullopt) {
  manifest::Project p;
  auto& c = p.config;
  c.root = "/proj";
  c.config_path = "/proj/foley.toml";
  c.cache_dir = "/proj/cache";
  c.output_dir = "/proj/out";
  c.manifest_dir = "/proj/manifests";
  manifest::EngineProfile synth{"synth", "exec", {}, std::nullopt, std::nullopt, {}};
  synth.settings = {{"command", {"sox", "{out}", "synth", "{duration}", "sine", "4{take}0"}},
                    {"shell", false}, {"ext", "wav"}, {"version", "1"}};
  if (rank_model) synth.settings["rank_model"] = *rank_model;
  c.engines["synth"] = synth;
  manifest::Cue q;
  q.id = "door";
  q.manifest = "ep1";
  q.engine = "synth";
  q.prompt = "a door";
  q.duration = 1.0;
  q.takes = takes;
  p.cues.push_back(q);
  return p;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("take 0 keeps the one-take key, every take has its own, and more takes keep the first ones") {
  FakeHasher h;
  plan::Plan one = plan::make_plan(project(1), h);
  plan::Plan three = plan::make_plan(project(3), h);
  plan::Plan five = plan::make_plan(project(5), h);
  const plan::PlannedCue& c1 = one.cues[0];
  const plan::PlannedCue& c3 = three.cues[0];
  const plan::PlannedCue& c5 = five.cues[0];
  REQUIRE(c1.take_keys.size() == 1);
  REQUIRE(c3.take_keys.size() == 3);
  REQUIRE(c5.take_keys.size() == 5);
  CHECK(c3.gen_key == c1.gen_key);
  CHECK(c3.take_keys[0] == c1.gen_key);
  for (size_t t = 0; t < 3; ++t) CHECK(c5.take_keys[t] == c3.take_keys[t]);
  CHECK(three.generations.size() == 3);
  CHECK(!one.generations.at(c1.gen_key).key_fields.contains("take"));
  CHECK(three.generations.at(c3.take_keys[2]).key_fields.at("take") == 2);
  // Unranked: take 0 is rendered, and the render key is the one-take cue's.
  CHECK(c3.rank_key.empty());
  CHECK(c3.rendered_take == 0);
  CHECK(c3.render_key == c1.render_key);
  CHECK(c3.take_renders.size() == 3);
  CHECK(c1.take_renders.empty());
  CHECK(c3.take_renders[2].output_path == "/proj/out/ep1/door.2.wav");
  CHECK(c3.take_renders[2].gen_key == c3.take_keys[2]);
}

TEST_CASE("build.ninja: one generate edge per take, the takes in the manifest's target, an all_takes target") {
  FakeHasher h;
  plan::Plan plan = plan::make_plan(project(3), h);
  std::string text = plan::ninja_file_for(plan, {"/bin/foley", "/bin/foley-gen", {}, {}});
  CHECK(count(text, ": gen_synth\n") == 3);
  CHECK(count(text, "build out/ep1/door.wav: render .foley/objects/") == 1);
  CHECK(count(text, "build out/ep1/door.1.wav: render .foley/objects/") == 1);
  CHECK(count(text, "build all_takes: phony out/ep1/door.0.wav out/ep1/door.1.wav out/ep1/door.2.wav\n") == 1);
  for (const std::string& key : plan.cues[0].take_keys) CHECK(count(text, key) >= 3);  // edge, phony, take render
  CHECK(count(text, "rule rank") == 0);
  // No foley.lock in /proj: not an input (a missing phony input would re-plan every build).
  CHECK(count(text, "foley.lock") == 0);
}

TEST_CASE("with a rank model, a rank edge reads every take and the render reads the ranking") {
  FakeHasher h;
  plan::Plan plan = plan::make_plan(project(3, "/clap"), h);
  const plan::PlannedCue& c = plan.cues[0];
  REQUIRE(!c.rank_key.empty());
  CHECK(c.rendered_take == -1);
  CHECK(c.render.gen_key.empty());
  CHECK(c.render.ranking == fs::path("/proj/.foley/ranks") / (c.rank_key + ".json"));
  REQUIRE(plan.rankings.count(c.rank_key) == 1);
  const RankRequest& rank = plan.rankings.at(c.rank_key);
  CHECK(rank.take_keys == c.take_keys);
  CHECK(rank.rank_model == "/clap");
  CHECK(rank.prompt == "a door");
  std::string text = plan::ninja_file_for(plan, {"/bin/foley", "/bin/foley-gen", {}, {}});
  CHECK(count(text, "rule rank\n  command = exec $foley_gen rank --ranking $out\n") == 1);
  std::string edge = "build .foley/ranks/" + c.rank_key + ".json: rank";
  for (const std::string& key : c.take_keys) edge += " .foley/objects/" + key.substr(0, 2) + "/" + key + ".wav";
  CHECK(count(text, edge + "\n") == 1);
  CHECK(count(text, "build out/ep1/door.wav: render .foley/ranks/" + c.rank_key + ".json\n") == 1);

  // The rank key follows the takes, the prompt and the model; not a render setting.
  manifest::Project louder = project(3, "/clap");
  louder.cues[0].render.gain_db = 3;
  CHECK(plan::make_plan(std::move(louder), h).cues[0].rank_key == c.rank_key);
  CHECK(plan::make_plan(project(4, "/clap"), h).cues[0].rank_key != c.rank_key);
  CHECK(plan::make_plan(project(3, "/other-clap"), h).cues[0].rank_key != c.rank_key);
  // One take: nothing to rank.
  CHECK(plan::make_plan(project(1, "/clap"), h).cues[0].rank_key.empty());
}

TEST_CASE("a pick renders its take without touching the ranking; a stale pick is reported, not replaced") {
  FakeHasher h;
  plan::Plan ranked = plan::make_plan(project(3, "/clap"), h);
  const std::string take2 = ranked.cues[0].take_keys[2];

  manifest::Project picked = project(3, "/clap");
  picked.picks["ep1:door"] = manifest::TakePick{2, take2, {"foley.lock", 4, 1}};
  plan::Plan p = plan::make_plan(std::move(picked), h);
  const plan::PlannedCue& c = p.cues[0];
  CHECK(c.rendered_take == 2);
  CHECK(c.stale_pick.empty());
  CHECK(c.render.gen_key == take2);
  CHECK(c.render.ranking.empty());
  CHECK(c.rank_key == ranked.cues[0].rank_key);  // still ranked, for `foley takes`
  CHECK(c.take_keys == ranked.cues[0].take_keys);  // nothing regenerates
  // The render key of a picked take is the one its own render has.
  CHECK(c.render_key == c.take_renders[2].render_key);

  // The same pick once the cue has other takes (its duration changed).
  manifest::Project edited = project(3, "/clap");
  edited.cues[0].duration = 2.0;
  edited.picks["ep1:door"] = manifest::TakePick{2, take2, {"foley.lock", 4, 1}};
  plan::Plan s = plan::make_plan(std::move(edited), h);
  const plan::PlannedCue& stale = s.cues[0];
  CHECK(stale.stale_pick.find("foley.lock:4:1") == 0);
  CHECK(stale.stale_pick.find("picks take 2") != std::string::npos);
  std::string text = plan::ninja_file_for(s, {"/bin/foley", "/bin/foley-gen", {}, {}});
  CHECK(count(text, "build out/ep1/door.wav: stale_pick\n  why = ") == 1);
  CHECK(count(text, ": gen_synth\n") == 3);  // its new takes still generate
}

TEST_CASE("a take's own render never writes over another cue's file") {
  FakeHasher h;
  manifest::Project p = project(3);
  manifest::Cue other = p.cues[0];
  other.id = "door.1";
  other.takes = 1;
  p.cues.push_back(other);
  CHECK_THROWS_WITH(plan::make_plan(std::move(p), h),
                    Catch::Contains("its take 1 would render to door.1.wav, the file of cue \"door.1\""));
}
