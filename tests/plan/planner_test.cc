#include <set>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "plan/gen_fields.h"
#include "plan/ninja_writer.h"
#include "plan/planner.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

struct FakeHasher : plan::ContentHasher {
  int folder_calls = 0;
  std::string file_hash(const fs::path& p) override { return "filehash:" + p.filename().string(); }
  std::string folder_hash(const fs::path&) override {
    ++folder_calls;
    return "modelhash";
  }
};

manifest::Project demo_project() {
  manifest::Project p;
  auto& c = p.config;
  c.root = "/proj";
  c.config_path = "/proj/foley.toml";
  c.cache_dir = "/proj/cache";
  c.output_dir = "/proj/out";
  c.manifest_dir = "/proj/manifests";
  c.gpu_slots = 2;
  manifest::EngineProfile synth{"synth", "exec", {}, std::nullopt, {}};
  synth.settings = {{"command", {"sox", "--comment", "{prompt}", "{out}", "synth", "{duration}", "pluck", "{seed}"}},
                    {"shell", false}, {"ext", "wav"}, {"version", "1"}};
  manifest::EngineProfile sfx{"sfx api", "elevenlabs", {}, std::nullopt, {}};
  sfx.name = "sfxapi";
  sfx.settings = {{"model_id", "eleven_text_to_sound_v2"}, {"output_format", "mp3_44100_128"},
                  {"prompt_influence", 0.3}, {"tier", "creator"}};
  c.engines["synth"] = synth;
  c.engines["sfxapi"] = sfx;
  p.manifest_files = {"/proj/manifests/ep 1.toml"};
  auto cue = [](std::string id, std::string engine) {
    manifest::Cue q;
    q.id = id;
    q.manifest = "ep 1";
    q.engine = engine;
    q.prompt = "door";
    q.duration = 2.0;
    q.seed = 7;
    return q;
  };
  p.cues.push_back(cue("a", "synth"));
  p.cues.push_back(cue("b", "synth"));  // same generation inputs as a
  p.cues.back().render.gain_db = -6;
  p.cues.push_back(cue("c", "sfxapi"));
  manifest::Cue silence;
  silence.id = "gap";
  silence.manifest = "ep 1";
  silence.type = "silence";
  silence.clip = 1.0;
  p.cues.push_back(silence);
  return p;
}

}  // namespace

TEST_CASE("identical generation inputs share one generation; renders stay per cue") {
  FakeHasher h;
  plan::Plan plan = plan::make_plan(demo_project(), h);
  REQUIRE(plan.cues.size() == 4);
  CHECK(plan.cues[0].gen_key == plan.cues[1].gen_key);
  CHECK(plan.cues[0].render_key != plan.cues[1].render_key);
  CHECK(plan.generations.size() == 2);
  CHECK(plan.generations.at(plan.cues[0].gen_key).cues == std::vector<std::string>{"ep 1:a", "ep 1:b"});
  CHECK(plan.cues[3].gen_key.empty());
  CHECK(plan.cues[3].render.input_path.empty());
  CHECK(plan.cues[2].render.input_path.extension() == ".mp3");
}

TEST_CASE("a render setting changes only the render key; a prompt changes both") {
  FakeHasher h;
  plan::Plan base = plan::make_plan(demo_project(), h);
  auto p2 = demo_project();
  p2.cues[0].render.loudness = -16.0;
  plan::Plan louder = plan::make_plan(p2, h);
  CHECK(louder.cues[0].gen_key == base.cues[0].gen_key);
  CHECK(louder.cues[0].render_key != base.cues[0].render_key);
  auto p3 = demo_project();
  p3.cues[0].prompt = "door slam";
  plan::Plan edited = plan::make_plan(p3, h);
  CHECK(edited.cues[0].gen_key != base.cues[0].gen_key);
  CHECK(edited.cues[0].render_key != base.cues[0].render_key);
  CHECK(edited.cues[1].gen_key == base.cues[1].gen_key);  // the other cue is untouched
}

TEST_CASE("every delivery setting changes the render key and never the gen key") {
  FakeHasher h;
  plan::Plan base = plan::make_plan(demo_project(), h);
  std::set<std::string> render_keys = {base.cues[0].render_key};
  auto check = [&](const char* what, auto mutate) {
    CAPTURE(what);
    auto p = demo_project();
    mutate(p.cues[0]);
    plan::Plan changed = plan::make_plan(p, h);
    CHECK(changed.cues[0].gen_key == base.cues[0].gen_key);
    CHECK(render_keys.insert(changed.cues[0].render_key).second);  // a key of its own
  };
  check("loop", [](manifest::Cue& c) { c.loop = true; });
  check("loudness", [](manifest::Cue& c) { c.render.loudness = -16.0; });
  check("measure", [](manifest::Cue& c) { c.render.loudness = -16.0, c.render.loudness_measure = "momentary-max"; });
  check("true_peak", [](manifest::Cue& c) { c.render.loudness = -16.0, c.render.true_peak = -2.0; });
  check("highpass", [](manifest::Cue& c) { c.render.highpass = 40.0; });
  check("channels", [](manifest::Cue& c) { c.render.channels = 2; });
  check("source layout", [](manifest::Cue& c) { c.render.channels = 0; });
  check("format", [](manifest::Cue& c) { c.render.format = "flac"; });
  check("clip", [](manifest::Cue& c) { c.clip = 7.0; });
}

TEST_CASE("exec keys only hold the placeholders the template reads") {
  FakeHasher h;
  auto p = demo_project();
  p.cues[0].prompt_influence = 0.9;  // not in the template: same key
  p.cues[0].negative_prompt = "noise";
  plan::Plan plan = plan::make_plan(p, h);
  CHECK(plan.cues[0].gen_key == plan.cues[1].gen_key);
  auto fields = plan.generations.at(plan.cues[0].gen_key).key_fields;
  CHECK(fields.contains("seed"));
  CHECK(fields.contains("duration"));
  CHECK(fields.contains("prompt"));
  CHECK_FALSE(fields.contains("negative_prompt"));
  CHECK_FALSE(fields.contains("prompt_influence"));
}

TEST_CASE("elevenlabs keys hold model, format, influence, loop and duration") {
  FakeHasher h;
  auto p = demo_project();
  plan::Plan base = plan::make_plan(p, h);
  auto key_with = [&](auto mutate) {
    auto q = demo_project();
    mutate(q);
    return plan::make_plan(q, h).cues[2].gen_key;
  };
  std::string k0 = base.cues[2].gen_key;
  CHECK(key_with([](auto& q) { q.cues[2].loop = true; }) != k0);
  CHECK(key_with([](auto& q) { q.cues[2].prompt_influence = 0.5; }) != k0);
  CHECK(key_with([](auto& q) { q.cues[2].duration.reset(); }) != k0);
  CHECK(key_with([](auto& q) { q.config.engines["sfxapi"].settings["output_format"] = "pcm_16000"; }) != k0);
  CHECK(key_with([](auto& q) { q.cues[2].seed = 99; }) == k0);  // the API has no seed
  CHECK(key_with([](auto& q) { q.config.engines["sfxapi"].settings["tier"] = "pro"; }) == k0);
  CHECK(key_with([](auto& q) { q.cues[2].prompt = "  door  "; }) == k0);  // normalised
}

TEST_CASE("build.ninja has pools, one generate edge per key, render edges, phonies and a generator edge") {
  FakeHasher h;
  plan::Plan plan = plan::make_plan(demo_project(), h);
  std::string text = plan::ninja_file_for(plan, {"/bin dir/foley", "/bin dir/foley-gen", {}, {}});
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
  };
  CHECK(count("pool gpu\n  depth = 2\n") == 1);
  CHECK(count("pool engine_sfxapi\n  depth = 5\n") == 1);  // creator tier
  CHECK(count(": gen_synth\n") == 1);
  CHECK(count(": gen_sfxapi\n") == 1);
  CHECK(count(": render") == 4);
  // Pools sit on the profile's rule, not on every edge.
  CHECK(count("rule gen_sfxapi\n  command = exec $foley_gen generate --object $out\n") == 1);
  CHECK(count("  pool = engine_sfxapi\n") == 1);
  CHECK(text.find("rule gen_synth\n  command = exec $foley_gen generate --object $out\n  description = GEN $out (synth)\n"
                  "  restat = 1\n  generator = 1\n\n") != std::string::npos);
  // Generate edges are generator outputs, so `ninja -t clean` never deletes a
  // cache object.
  CHECK(count("  restat = 1\n  generator = 1\n") == 2);
  CHECK(count("build out/ep$ 1/a.wav: render") == 1);
  CHECK(count("build ep$ 1: phony out/ep$ 1/a.wav") == 1);
  CHECK(count("generator = 1\n  restat = 1") == 1);
  CHECK(count("build build.ninja: plan | ") == 1);
  CHECK(count("manifests/ep$ 1.toml") == 1);
  CHECK(count("foley = '/bin dir/foley'") == 1);
  CHECK(count("default all") == 1);
  CHECK(text.find("builddir = .foley") != std::string::npos);
}

TEST_CASE("an API profile's pool is its tier's concurrency unless it sets its own") {
  auto depth = [](const std::string& tier, std::optional<int> concurrency = std::nullopt) {
    manifest::EngineProfile p{"api", "elevenlabs", {{"tier", tier}}, concurrency, {}};
    engines::PoolSpec pool = plan::profile_pool(p);
    CHECK(pool.name == "engine_api");
    return pool.depth;
  };
  CHECK(depth("free") == 2);
  CHECK(depth("starter") == 3);
  CHECK(depth("creator") == 5);
  CHECK(depth("pro") == 10);
  CHECK(depth("scale") == 15);
  CHECK(depth("business") == 15);
  CHECK(depth("pro", 3) == 3);
}

TEST_CASE("the gpu pool is as deep as the model server can batch, unless gpu_slots says otherwise") {
  manifest::ProjectConfig c;
  CHECK(plan::pool_depths(c).count("gpu") == 0);  // no local model profile
  manifest::EngineProfile small{"small", "audioldm2", {{"model", "m"}, {"max_batch", 4}}, std::nullopt, {}};
  manifest::EngineProfile big{"big", "audioldm2", {{"model", "m"}, {"max_batch", 6}}, std::nullopt, {}};
  manifest::EngineProfile api{"api", "elevenlabs", {{"max_batch", 40}}, std::nullopt, {}};  // not a model engine
  c.engines = {{"small", small}, {"api", api}};
  CHECK(plan::pool_depths(c).at("gpu") == 4);
  CHECK(plan::pool_depths(c).at("engine_api") == 2);
  c.engines["big"] = big;
  CHECK(plan::pool_depths(c).at("gpu") == 6);
  c.gpu_slots = 2;
  CHECK(plan::pool_depths(c).at("gpu") == 2);
}

TEST_CASE("API profiles' generate edges run the resident server's client when it is there") {
  manifest::Project project = demo_project();
  FakeHasher hasher;
  plan::Plan p = plan::make_plan(project, hasher);
  plan::Tools tools{"/bin/foley", "/bin/foley-gen", "/bin/foley-render", "/bin/foley-gen-client"};
  std::string ninja = plan::ninja_file_for(p, tools);
  CHECK(ninja.find("foley_gen_client = /bin/foley-gen-client\n") != std::string::npos);
  CHECK(ninja.find("rule gen_sfxapi\n  command = exec $foley_gen_client --object $out\n") != std::string::npos);
  // Local engines keep foley-gen.
  CHECK(ninja.find("rule gen_synth\n  command = exec $foley_gen generate --object $out\n") != std::string::npos);
  tools.foley_gen_client.clear();
  ninja = plan::ninja_file_for(p, tools);
  CHECK(ninja.find("foley_gen_client") == std::string::npos);
  CHECK(ninja.find("rule gen_sfxapi\n  command = exec $foley_gen generate --object $out\n") != std::string::npos);
}

TEST_CASE("a farm's profiles run behind the launcher in the farm pool; the others as before") {
  manifest::Project project = demo_project();
  FakeHasher hasher;
  plan::Plan p = plan::make_plan(project, hasher);
  plan::Tools tools{"/bin/foley", "/bin/foley-gen", "/bin/foley-render", "/bin/foley-gen-client"};
  plan::Farm farm{{"srun", "--gres=gpu:1", "a b"}, 3, {"synth"}};
  std::string ninja = plan::ninja_file_for(p, tools, farm);
  CHECK(ninja.find("farm_launcher = srun --gres=gpu:1 'a b'\n") != std::string::npos);
  CHECK(ninja.find("pool farm\n  depth = 3\n") != std::string::npos);
  CHECK(ninja.find("rule gen_synth\n  command = exec $foley_gen_client --object $out --farm -- $farm_launcher\n") !=
        std::string::npos);
  CHECK(ninja.find("  pool = farm\n") != std::string::npos);
  // The API profile stays on this host.
  CHECK(ninja.find("rule gen_sfxapi\n  command = exec $foley_gen_client --object $out\n") != std::string::npos);
  tools.foley_gen_client.clear();
  CHECK_THROWS_WITH(plan::ninja_file_for(p, tools, farm), Catch::Contains("foley-gen-client"));
}

TEST_CASE("render edges run foley-render when it is there, else foley-gen render") {
  manifest::Project project = demo_project();
  FakeHasher hasher;
  plan::Plan p = plan::make_plan(project, hasher);
  plan::Tools tools{"/bin/foley", "/bin/foley-gen", "/bin/foley-render", {}};
  std::string ninja = plan::ninja_file_for(p, tools);
  CHECK(ninja.find("foley_render = /bin/foley-render\n") != std::string::npos);
  CHECK(ninja.find("rule render\n  command = exec $foley_render .foley/renders $spec\n") != std::string::npos);
  tools.foley_render.clear();
  ninja = plan::ninja_file_for(p, tools);
  CHECK(ninja.find("foley_render") == std::string::npos);
  CHECK(ninja.find("rule render\n  command = exec $foley_gen render .foley/renders $spec\n") != std::string::npos);
}

TEST_CASE("spec files are the JSON of their requests, byte for byte") {
  FakeHasher h;
  plan::Plan plan = plan::make_plan(demo_project(), h);
  REQUIRE(!plan.generations.empty());
  for (const auto& [key, req] : plan.generations) {
    CHECK(req.spec_text() == req.to_json().dump() + "\n");
    CHECK(GenRequest::from_json(nlohmann::json::parse(req.spec_text()), "spec").to_json() == req.to_json());
  }
  for (const auto& c : plan.cues) {
    CHECK(c.render.spec_text() == c.render.to_json().dump() + "\n");
    CHECK(plan::render_spec_entry(c) == c.render_key + ":" + c.cue.qualified_id());
  }
}

TEST_CASE("the plan names the cue fields a profile does not use") {
  FakeHasher h;
  manifest::Project p = demo_project();
  // An exec command without {prompt}: prompts do not reach it.
  p.config.engines["synth"].settings["command"] = {"sox", "{out}", "synth", "{duration}", "pluck", "{seed}"};
  p.cues[1].prompt = "a different door";
  p.cues[2].seed = 7;  // ElevenLabs takes no seed
  plan::Plan plan = plan::make_plan(std::move(p), h);
  CHECK(plan.cues[0].gen_key == plan.cues[1].gen_key);  // one generation for both prompts
  std::vector<std::string> notes = plan::ignored_field_notes(plan);
  REQUIRE(notes.size() == 2);
  CHECK_THAT(notes[0], Catch::StartsWith("engine profile `sfxapi` (elevenlabs) does not use the cue field(s) seed"));
  CHECK_THAT(notes[1], Catch::StartsWith("engine profile `synth` (exec) does not use the cue field(s) prompt:"));
  CHECK(plan::ignored_field_notes(plan::make_plan(demo_project(), h)).size() == 1);  // the demo's seed on sfxapi
}
