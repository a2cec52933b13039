#include <catch2/catch.hpp>

#include <algorithm>

#include "common/error.h"
#include "manifest/project_loader.h"
#include "temp_project.h"

using namespace foley::manifest;
using foley::manifest::testing::kThreeEngines;
using foley::manifest::testing::TempProject;
namespace fs = std::filesystem;

namespace {

// The error message of load_project, or "" when it succeeded.
std::string load_error(const TempProject& project) {
  try {
    load_project(project.root());
  } catch (const foley::Error& e) {
    return e.what();
  }
  return "";
}

const Cue& find_cue(const Project& project, const std::string& id) {
  auto it = std::find_if(project.cues.begin(), project.cues.end(), [&](const Cue& c) { return c.id == id; });
  REQUIRE(it != project.cues.end());
  return *it;
}

size_t count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n') + (s.empty() ? 0 : 1); }

}  // namespace

TEST_CASE("a valid project parses into the expected cues", "[manifest]") {
  TempProject p;
  p.write("foley.toml", R"([project]
name = "demo"
cache_dir = "/tmp/foley-cache-elsewhere"
default_engine = "synth"
gpu_slots = 2

[render]
sample_rate = 44100
loudness = -20

[engines.synth]
engine = "exec"
command = ["gen", "--out", "{out}", "{prompt}"]
max_duration = 60
concurrency = 3

[engines.api]
engine = "elevenlabs"
api_key_file = "secrets/key"
timeout = 120
)");
  p.write("manifests/ep1.toml", R"([defaults]
duration = 2
fade_out = 0.1
category = "ambience"

[cue.wind]
engine = "api"
prompt = "wind through pines"
tags = ["outdoor", "wind"]

[cue.door]
prompt = "a heavy door slams"
seed = 7
format = "flac"
duration = 3.5
loop = true
prompt_influence = 0.6
negative_prompt = "music"
)");
  p.write("manifests/s1/ep2.toml", R"([cue.gap]
type = "silence"
clip = 1.5

[cue.lib]
type = "source"
source = "lib/door.wav"
channels = 2
)");
  p.write("lib/door.wav", "RIFF");
  p.write("manifests/README.md", "not a manifest");

  Project project = load_project(p.root());
  const ProjectConfig& config = project.config;
  CHECK(config.name == "demo");
  CHECK(config.root == p.root());
  CHECK(config.cache_dir == "/tmp/foley-cache-elsewhere");
  CHECK(config.output_dir == p.root() / "out");
  CHECK(config.manifest_dir == p.root() / "manifests");
  CHECK(config.gpu_slots == 2);
  CHECK(config.default_engine == "synth");
  CHECK(config.render.sample_rate == 44100);
  CHECK(config.render.loudness == Approx(-20));
  REQUIRE(config.engines.size() == 2);
  const EngineProfile& synth = config.engines.at("synth");
  CHECK(synth.engine == "exec");
  CHECK(synth.concurrency == 3);
  CHECK(synth.settings["command"] == nlohmann::json({"gen", "--out", "{out}", "{prompt}"}));
  CHECK(synth.settings["shell"] == false);
  CHECK(synth.settings["ext"] == "wav");
  CHECK(synth.settings["max_duration"] == 60.0);
  const EngineProfile& api = config.engines.at("api");
  CHECK(api.settings["timeout"] == 120.0);
  CHECK(api.settings["max_attempts"] == 5);          // defaults filled in
  CHECK(api.settings["output_format"] == "mp3_44100_128");
  CHECK(api.settings["api_key_file"] == (p.root() / "secrets/key").string());
  CHECK_FALSE(api.concurrency.has_value());

  REQUIRE(project.manifest_files.size() == 2);
  CHECK(project.manifest_files[0] == p.root() / "manifests/ep1.toml");
  CHECK(project.manifest_files[1] == p.root() / "manifests/s1/ep2.toml");

  REQUIRE(project.cues.size() == 4);
  std::vector<std::string> order;
  for (const Cue& c : project.cues) order.push_back(c.qualified_id());
  CHECK(order == std::vector<std::string>{"ep1:door", "ep1:wind", "s1/ep2:gap", "s1/ep2:lib"});

  const Cue& door = find_cue(project, "door");
  CHECK(door.type == "generated");
  CHECK(door.category == "ambience");             // from [defaults]
  CHECK(door.prompt == "a heavy door slams");
  CHECK(door.negative_prompt == "music");
  CHECK(door.duration == 3.5);                    // cue beats [defaults]
  CHECK(door.engine == "synth");                  // project default
  CHECK(door.seed == 7);
  CHECK(door.loop);
  CHECK(door.prompt_influence == 0.6);
  CHECK(door.render.format == "flac");            // cue
  CHECK(door.render.sample_rate == 44100);        // foley.toml [render]
  CHECK(door.render.fade_out == Approx(0.1));     // [defaults]
  CHECK(door.render.loudness == Approx(-20));
  CHECK(door.render.bit_depth == 24);             // built-in default
  CHECK(door.where.str() == "manifests/ep1.toml:11:1");
  CHECK(door.field_where.at("seed").str() == "manifests/ep1.toml:13:8");
  CHECK(door.field_where.at("duration").str() == "manifests/ep1.toml:15:12");
  CHECK(door.field_where.at("fade_out").str() == "manifests/ep1.toml:3:12");
  CHECK(door.field_where.count("sample_rate") == 0);  // foley.toml values are not manifest fields

  const Cue& wind = find_cue(project, "wind");
  CHECK(wind.engine == "api");
  CHECK(wind.duration == 2.0);                    // [defaults]
  CHECK(wind.tags == std::vector<std::string>{"outdoor", "wind"});
  CHECK_FALSE(wind.seed.has_value());

  const Cue& gap = find_cue(project, "gap");
  CHECK(gap.manifest == "s1/ep2");
  CHECK(gap.type == "silence");
  CHECK(gap.clip == 1.5);
  CHECK(gap.category == "sfx");                   // [defaults] of ep1 do not leak into ep2
  CHECK_FALSE(gap.duration.has_value());

  const Cue& lib = find_cue(project, "lib");
  CHECK(lib.type == "source");
  REQUIRE(lib.source.has_value());
  CHECK(*lib.source == p.root() / "lib/door.wav");
  CHECK(lib.render.channels == 2);
}

TEST_CASE("defaults: built-in values and the single-profile default engine", "[manifest]") {
  TempProject p;
  p.write("foley.toml", "[engines.only]\nengine = \"elevenlabs\"\n");
  p.write("manifests/a.toml", "[cue.x]\nprompt = \"x\"\n");
  Project project = load_project(p.root());
  CHECK(project.config.default_engine == "only");
  CHECK(project.config.name == p.root().filename().string());
  CHECK(project.config.cache_dir == p.root() / "cache");
  CHECK_FALSE(project.config.gpu_slots.has_value());  // derived at plan time (plan::pool_depths)
  REQUIRE(project.cues.size() == 1);
  const Cue& x = project.cues[0];
  CHECK(x.engine == "only");
  CHECK_FALSE(x.duration.has_value());            // elevenlabs: automatic length
  CHECK(x.render.sample_rate == 48000);
  CHECK(x.render.format == "wav");
  CHECK_FALSE(x.render.loudness.has_value());
}

TEST_CASE("several profiles and no default_engine: a cue must name one", "[manifest]") {
  TempProject p;
  p.write("foley.toml", "[engines.a]\nengine = \"elevenlabs\"\n[engines.b]\nengine = \"elevenlabs\"\n");
  p.write("manifests/m.toml", "[cue.x]\nprompt = \"x\"\n[cue.y]\nprompt = \"y\"\nengine = \"b\"\n");
  std::string error = load_error(p);
  CHECK(error.find("manifests/m.toml:1:1: cue \"x\": field \"engine\": no engine given and foley.toml has several "
                   "profiles but no project.default_engine") != std::string::npos);
  CHECK(error.find("cue \"y\"") == std::string::npos);
}

TEST_CASE("a [defaults] duration satisfies engines that require one", "[manifest]") {
  TempProject p;
  p.mkdir("model");
  p.write("foley.toml", kThreeEngines);
  p.write("manifests/m.toml", "[defaults]\nduration = 5\nengine = \"local\"\n[cue.x]\nprompt = \"x\"\n");
  Project project = load_project(p.root());
  REQUIRE(project.cues.size() == 1);
  CHECK(project.cues[0].duration == 5.0);
  CHECK(project.cues[0].engine == "local");
  CHECK(project.config.engines.at("local").settings["model"] == (p.root() / "model").string());
  CHECK(project.config.engines.at("local").settings["steps"] == 200);
}

TEST_CASE("duplicate cue ids across manifests name both places", "[manifest]") {
  TempProject p;
  p.write("foley.toml", kThreeEngines);
  p.mkdir("model");
  p.write("manifests/ep1.toml", "[cue.door]\nprompt = \"a\"\nduration = 1\n");
  p.write("manifests/ep2/x.toml", "# another door\n[cue.door]\nprompt = \"b\"\nduration = 1\n");
  std::string error = load_error(p);
  CHECK(error.find("manifests/ep2/x.toml:2:6: cue \"door\": duplicate cue id, first defined at "
                   "manifests/ep1.toml:1:1") != std::string::npos);
}

TEST_CASE("every error of every file is reported at once", "[manifest]") {
  TempProject p;
  p.mkdir("model");
  p.write("foley.toml", std::string(kThreeEngines) + "[render]\nsample_rate = 1\n");
  p.write("manifests/a.toml", "[cue.x]\nprompt = \"x\"\nduration = -2\nchannels = 5\n");
  p.write("manifests/b.toml", "[cue.y]\ntype = \"silence\"\n[cue.z]\nprompt = \"z\"\nduraton = 1\n");
  std::string error = load_error(p);
  INFO(error);
  CHECK(count_lines(error) == 6);
  // Ordered by file, then line.
  size_t config = error.find("foley.toml:13:15: field \"render.sample_rate\"");
  size_t a1 = error.find("manifests/a.toml:3:12: cue \"x\": field \"duration\"");
  size_t a2 = error.find("manifests/a.toml:4:12: cue \"x\": field \"channels\"");
  size_t b1 = error.find("manifests/b.toml:1:1: cue \"y\": field \"clip\"");
  size_t b2 = error.find("manifests/b.toml:3:1: cue \"z\": field \"duration\": required");
  size_t b3 = error.find("manifests/b.toml:5:1: cue \"z\": field \"duraton\": unknown field");
  REQUIRE(config != std::string::npos);
  REQUIRE(a1 != std::string::npos);
  REQUIRE(a2 != std::string::npos);
  REQUIRE(b1 != std::string::npos);
  REQUIRE(b2 != std::string::npos);
  REQUIRE(b3 != std::string::npos);
  CHECK(config < a1);
  CHECK(a1 < a2);
  CHECK(a2 < b1);
  CHECK(b1 < b2);
  CHECK(b2 < b3);
}

TEST_CASE("a bad value in [defaults] is reported once, not once per cue", "[manifest]") {
  TempProject p;
  p.write("foley.toml", "[engines.e]\nengine = \"elevenlabs\"\n");
  p.write("manifests/a.toml", "[defaults]\nloudness = 3\n[cue.x]\nprompt = \"x\"\n[cue.y]\nprompt = \"y\"\n");
  std::string error = load_error(p);
  CHECK(error == "manifests/a.toml:2:12: field \"defaults.loudness\": must be between -70 and 0, got 3");
}

TEST_CASE("source files may not escape the root through a symlink", "[manifest]") {
  TempProject outside;
  outside.write("secret.wav", "RIFF");
  TempProject p;
  p.write("foley.toml", "");
  p.write("lib/real.wav", "RIFF");
  p.mkdir("lib/dir");
  fs::create_symlink(outside.root() / "secret.wav", p.root() / "lib/escape.wav");
  fs::create_symlink(p.root() / "lib/real.wav", p.root() / "lib/inside.wav");
  fs::create_directory_symlink(outside.root(), p.root() / "lib/away");

  SECTION("symlinked file pointing outside") {
    p.write("manifests/m.toml", "[cue.s]\ntype = \"source\"\nsource = \"lib/escape.wav\"\n");
    CHECK(load_error(p).find("manifests/m.toml:3:10: cue \"s\": field \"source\": `lib/escape.wav` leads outside "
                             "the project root through a symbolic link") != std::string::npos);
  }
  SECTION("symlinked folder pointing outside") {
    p.write("manifests/m.toml", "[cue.s]\ntype = \"source\"\nsource = \"lib/away/secret.wav\"\n");
    CHECK(load_error(p).find("leads outside the project root through a symbolic link") != std::string::npos);
  }
  SECTION("symlink that stays inside is fine") {
    p.write("manifests/m.toml", "[cue.s]\ntype = \"source\"\nsource = \"lib/inside.wav\"\n");
    Project project = load_project(p.root());
    REQUIRE(project.cues.size() == 1);
    CHECK(*project.cues[0].source == p.root() / "lib/inside.wav");
  }
  SECTION("a folder is not a source file") {
    p.write("manifests/m.toml", "[cue.s]\ntype = \"source\"\nsource = \"lib/dir\"\n");
    CHECK(load_error(p).find("`lib/dir` is not a regular file") != std::string::npos);
  }
  SECTION("`..` that stays inside is fine") {
    p.write("manifests/m.toml", "[cue.s]\ntype = \"source\"\nsource = \"lib/dir/../real.wav\"\n");
    CHECK(load_error(p) == "");
  }
}

TEST_CASE("project-level failures", "[manifest]") {
  TempProject p;
  SECTION("no foley.toml") {
    CHECK(load_error(p).find("no foley.toml in " + p.root().string()) != std::string::npos);
  }
  SECTION("explicit manifest_dir that does not exist") {
    p.write("foley.toml", "[project]\nmanifest_dir = \"cues\"\n");
    CHECK(load_error(p).find("foley.toml:2:16: field \"project.manifest_dir\": manifest folder") != std::string::npos);
  }
  SECTION("default manifest folder may be absent") {
    p.write("foley.toml", "");
    Project project = load_project(p.root());
    CHECK(project.cues.empty());
  }
  SECTION("custom manifest_dir names manifests relative to it") {
    p.write("foley.toml", "[project]\nmanifest_dir = \"cues\"\n[engines.e]\nengine = \"elevenlabs\"\n");
    p.write("cues/act1/scene.toml", "[cue.x]\nprompt = \"x\"\n");
    Project project = load_project(p.root());
    REQUIRE(project.cues.size() == 1);
    CHECK(project.cues[0].manifest == "act1/scene");
    CHECK(project.cues[0].where.str() == "cues/act1/scene.toml:1:1");
  }
}

TEST_CASE("build_project validates in-memory text", "[manifest]") {
  TempProject p;
  Project project = build_project(p.root(), "[engines.e]\nengine = \"elevenlabs\"\n",
                                  {ManifestText{"ep1", p.root() / "manifests/ep1.toml", "[cue.a]\nprompt = \"a\"\n"}});
  REQUIRE(project.cues.size() == 1);
  CHECK(project.cues[0].qualified_id() == "ep1:a");
  CHECK_THROWS_AS(build_project(p.root(), "[engines.e]\nengine = 1\n", {}), foley::Error);
}

TEST_CASE("manifest names and cue ids stay safe as paths", "[manifest]") {
  CHECK(manifest_name_problem("ep1") == "");
  CHECK(manifest_name_problem("season-1/ep_2.v3") == "");
  CHECK(manifest_name_problem("../ep1") != "");
  CHECK(manifest_name_problem("a/.hidden") != "");
  CHECK(manifest_name_problem("a//b") != "");
  CHECK(manifest_name_problem("a:b") != "");
  CHECK(manifest_name_problem("") != "");
}

TEST_CASE("SourceLocation::str", "[manifest]") {
  CHECK(SourceLocation{"manifests/ep1.toml", 14, 9}.str() == "manifests/ep1.toml:14:9");
  CHECK(SourceLocation{"foley.toml", 3, 0}.str() == "foley.toml:3");
  CHECK(SourceLocation{"foley.toml", 0, 0}.str() == "foley.toml");
}

TEST_CASE("loudness presets resolve to a target, a measure and a ceiling; written fields refine them", "[manifest]") {
  TempProject p;
  p.write("foley.toml", std::string(kThreeEngines) + "[render]\nloudness = \"podcast\"\n");
  p.write("model/.keep", "");
  p.write("lib/st.wav", "not read at load time");
  p.write("manifests/a.toml", R"([defaults]
engine = "synth"
duration = 1
[cue.pod]
prompt = "voice"
[cue.tv]
prompt = "voice"
loudness = "ebu-r128"
true_peak = -2
[cue.web]
prompt = "music"
loudness = "streaming"
[cue.hit]
prompt = "punch"
loudness = "game-sfx"
[cue.own]
prompt = "x"
loudness = -20
loudness_measure = "short-term-max"
[cue.lib]
type = "source"
source = "lib/st.wav"
[cue.mono]
type = "source"
source = "lib/st.wav"
channels = 1
highpass = 0
)");
  Project project = load_project(p.root());
  const RenderSettings& pod = find_cue(project, "pod").render;
  CHECK(pod.loudness == Approx(-16));
  CHECK(pod.loudness_preset == "podcast");
  CHECK(pod.loudness_measure == "integrated");
  CHECK(pod.true_peak == -1.0);
  CHECK(pod.highpass == 20.0);  // the DC guard is on for generated cues
  CHECK(pod.channels == 1);
  const RenderSettings& tv = find_cue(project, "tv").render;
  CHECK(tv.loudness == Approx(-23));
  CHECK(tv.true_peak == -2.0);
  CHECK(find_cue(project, "web").render.loudness == Approx(-14));
  const RenderSettings& hit = find_cue(project, "hit").render;
  CHECK(hit.loudness == Approx(-18));
  CHECK(hit.loudness_measure == "momentary-max");
  const RenderSettings& own = find_cue(project, "own").render;
  CHECK(own.loudness == Approx(-20));
  CHECK_FALSE(own.loudness_preset);
  CHECK(own.loudness_measure == "short-term-max");
  const RenderSettings& lib = find_cue(project, "lib").render;
  CHECK(lib.channels == 0);  // a source keeps its layout
  CHECK(lib.highpass == 0.0);
  CHECK(find_cue(project, "mono").render.channels == 1);
}

TEST_CASE("categories: foley's own and the UCS list, without case, stored canonically", "[manifest]") {
  TempProject p;
  p.write("foley.toml", std::string(kThreeEngines) + "[render]\nbit_depth = 16\n");
  p.write("model/.keep", "");
  p.write("manifests/a.toml", R"([defaults]
engine = "synth"
duration = 1
[cue.own]
prompt = "x"
category = "Ambience"
[cue.top]
prompt = "x"
category = "foley"
[cue.id]
prompt = "x"
category = "amBFORST"
[cue.pair]
prompt = "x"
category = "doors / wood"
[cue.dash]
prompt = "x"
category = "Food & Drink-Cooking"
[cue.sub]
prompt = "x"
category = "forest"
[cue.web]
prompt = "x"
format = "mp3"
)");
  Project project = load_project(p.root());
  CHECK(find_cue(project, "own").category == "ambience");  // foley's own comes first
  CHECK(find_cue(project, "top").category == "FOLEY");
  CHECK(find_cue(project, "id").category == "AMBForst");
  CHECK(find_cue(project, "pair").category == "DOORWood");
  CHECK(find_cue(project, "dash").category == "FOODCook");
  CHECK(find_cue(project, "sub").category == "AMBForst");  // only AMBIENCE has a FOREST subcategory
  // foley.toml's bit_depth is the project's PCM setting: an mp3 manifest cue is not refused for it.
  CHECK(find_cue(project, "web").render.format == "mp3");
}

TEST_CASE("naming = ucs takes its CatID from the category; its blocks come from the cue and [render]", "[manifest]") {
  TempProject p;
  p.write("foley.toml", std::string(kThreeEngines) + "[render]\ncreator_id = \"JD\"\n");
  p.write("model/.keep", "");
  p.write("manifests/a.toml", R"([defaults]
engine = "synth"
duration = 1
naming = "ucs"
source_id = "EP1"
[cue.slam]
prompt = "x"
category = "doors-wood"
fx_name = "Heavy Slam"
[cue.rustle]
prompt = "x"
category = "Foley"
[cue.room]
prompt = "x"
category = "ambience"
)");
  Project project = load_project(p.root());
  const Cue& slam = find_cue(project, "slam");
  CHECK(slam.ucs_cat_id == "DOORWood");
  CHECK(slam.fx_name == "Heavy Slam");
  CHECK(slam.render.naming == "ucs");
  CHECK(slam.render.creator_id == "JD");
  CHECK(slam.render.source_id == "EP1");
  CHECK(find_cue(project, "rustle").ucs_cat_id == "FOLYMisc");  // a category alone: its MISC
  CHECK(find_cue(project, "room").ucs_cat_id == "AMBMisc");     // foley's ambience is UCS AMBIENCE
}
