#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "common/error.h"
#include "engines/catalog.h"
#include "engines/setting_checks.h"
#include "manifest/project_loader.h"
#include "plan/ninja_writer.h"
#include "plan/planner.h"

namespace fs = std::filesystem;
using namespace foley;
using nlohmann::json;

namespace {

struct FolderHasher : plan::ContentHasher {
  std::string file_hash(const fs::path& p) override { return "file:" + p.filename().string(); }
  std::string folder_hash(const fs::path&) override { return "folder"; }
};

// A made-up engine, described only by its catalog row: nothing in manifest/
// or plan/ knows its name.
engines::EngineRow fake_row() {
  engines::EngineRow row;
  row.name = "chimes";
  row.settings = {{"voices", engines::SettingType::kInteger, 3, false, engines::number_range(1, true, 8)},
                  {"tuning", engines::SettingType::kString, "equal", false,
                   engines::one_of_values({"equal", "just"})},
                  {"bank", engines::SettingType::kString, nullptr, true, engines::non_empty()}};
  row.durations = [](const json&) { return engines::DurationRule{1.0, true, 4.0, true}; };
  row.key = [](const engines::CueInputs& cue, const engines::ProfileView& p, const engines::KeyContext& ctx) {
    return engines::KeyInputs{{{"engine", "chimes"},
                               {"prompt", ctx.normalize_prompt(cue.prompt)},
                               {"voices", p.settings.at("voices")},
                               {"duration", *cue.duration}},
                              "aiff"};
  };
  row.pool = [](const engines::ProfileView& p) {
    return engines::PoolSpec{"bells_" + p.name, p.settings.at("voices").get<int>()};
  };
  row.paid = true;
  row.credit_estimate = [](const json& key, const json&) { return 7.0 * key.at("duration").get<double>(); };
  return row;
}

manifest::Project load(const fs::path& root, const std::string& config, const std::string& manifest) {
  return manifest::build_project(root, config, {{"ep1", root / "manifests/ep1.toml", manifest}});
}

std::string load_error(const fs::path& root, const std::string& config, const std::string& manifest) {
  try {
    load(root, config, manifest);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every built-in engine's row is complete") {
  for (const std::string& name : engines::engine_names()) {
    INFO(name);
    const engines::EngineRow& row = engines::engine_row(name);
    CHECK(row.name == name);
    CHECK_FALSE(row.settings.empty());
    CHECK(row.durations);
    CHECK(row.key);
    CHECK(row.pool);
    CHECK(row.ignored_cue_fields);
    // A paid engine prices its generations before anything is spent.
    CHECK(row.paid == static_cast<bool>(row.credit_estimate));
    for (const engines::SettingSpec& spec : row.settings) {
      INFO(spec.name);
      // A default, when there is one, passes its own setting's checks.
      if (spec.fallback.is_null()) continue;
      json value = spec.fallback;
      CHECK(engines::check_setting_type(spec.type, value).empty());
      if (spec.check) CHECK(spec.check(value, "/").empty());
    }
  }
  CHECK(engines::engine_names() == std::vector<std::string>{"exec", "elevenlabs", "audioldm2"});
  CHECK_THROWS_WITH(engines::engine_row("elevenlab"), Catch::Contains("did you mean `elevenlabs`"));
}

TEST_CASE("settings_problems re-checks a request's settings with the manifest's rules") {
  const engines::EngineRow& row = engines::engine_row("audioldm2");
  json settings = {{"model", fs::temp_directory_path().string()}, {"guidance", 31.0}, {"steps", 0}, {"scheduler", "ddim"}};
  std::vector<std::string> problems = engines::settings_problems(row, settings);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == "steps: must be ≥ 1 and ≤ 1000, got 0");
  CHECK(problems[1] == "guidance: must be ≥ 0 and ≤ 30, got 31");
  CHECK(engines::settings_problems(row, {{"steps", 10}})[0] == "model: required by engine `audioldm2` but missing");
}

TEST_CASE("an engine added as one catalog row is validated, keyed and planned") {
  engines::add_engine_row(fake_row());
  fs::path root = fs::temp_directory_path() / "foley-catalog-test";
  const std::string config = "[project]\nname = \"c\"\ndefault_engine = \"bells\"\n"
                             "[engines.bells]\nengine = \"chimes\"\nbank = \"tubular\"\nvoices = 5\n";

  SECTION("settings: types, ranges, defaults, required keys, unknown keys") {
    CHECK_THAT(load_error(root, "[engines.b]\nengine = \"chimes\"\nbank = \"x\"\nvoices = 9\n", ""),
               Catch::Contains("engines.b.voices") && Catch::Contains("must be ≥ 1 and ≤ 8, got 9"));
    CHECK_THAT(load_error(root, "[engines.b]\nengine = \"chimes\"\nbank = \"x\"\ntuning = \"jus\"\n", ""),
               Catch::Contains("did you mean `just`"));
    CHECK_THAT(load_error(root, "[engines.b]\nengine = \"chimes\"\n", ""),
               Catch::Contains("engines.b.bank") && Catch::Contains("required by engine `chimes`"));
    CHECK_THAT(load_error(root, "[engines.b]\nengine = \"chimes\"\nbank = \"x\"\nvoicez = 2\n", ""),
               Catch::Contains("unknown setting for engine `chimes` (did you mean `voices`?)"));
    manifest::Project p = load(root, "[engines.b]\nengine = \"chimes\"\nbank = \"x\"\n", "");
    CHECK(p.config.engines.at("b").settings.at("voices") == 3);
    CHECK(p.config.engines.at("b").settings.at("tuning") == "equal");
  }

  SECTION("durations come from the row") {
    CHECK_THAT(load_error(root, config, "[cue.ding]\nprompt = \"a bell\"\nduration = 5\n"),
               Catch::Contains("5 s is out of range") && Catch::Contains("1 ≤ duration ≤ 4 s"));
    CHECK_THAT(load_error(root, config, "[cue.ding]\nprompt = \"a bell\"\n"),
               Catch::Contains("required by engine profile `bells` (chimes)"));
  }

  SECTION("keys, extension and pool come from the row") {
    manifest::Project p = load(root, config, "[cue.ding]\nprompt = \"a  bell\"\nduration = 2\n");
    FolderHasher hasher;
    plan::Plan plan = plan::make_plan(std::move(p), hasher);
    REQUIRE(plan.generations.size() == 1);
    const GenRequest& req = plan.generations.begin()->second;
    CHECK(req.engine == "chimes");
    CHECK(req.ext == "aiff");
    CHECK(req.key_fields == json{{"engine", "chimes"}, {"prompt", "a bell"}, {"voices", 5}, {"duration", 2.0}});
    CHECK(req.object_path.extension() == ".aiff");
    std::string ninja = plan::ninja_file_for(plan, {"/bin/foley", "/bin/foley-gen", {}, {}});
    CHECK(ninja.find("pool bells_bells\n  depth = 5\n") != std::string::npos);
    CHECK(ninja.find("rule gen_bells\n") != std::string::npos);
    CHECK(ninja.find("  pool = bells_bells\n") != std::string::npos);
    CHECK(ninja.find(".aiff: gen_bells\n") != std::string::npos);
    CHECK(engines::engine_row(req.engine).credit_estimate(req.key_fields, req.settings) == 14.0);
  }
}
