#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "plan/output_record.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string templ = (fs::temp_directory_path() / "foley-outputs-XXXXXX").string();
    path = mkdtemp(templ.data());
  }
  ~TempRoot() { fs::remove_all(path); }
};

// A plan whose cues render `ids` (as out/m/<id>.wav) under `root`.
plan::Plan plan_of(const fs::path& root, std::initializer_list<const char*> ids) {
  plan::Plan p;
  p.project.config.root = root;
  p.project.config.output_dir = root / "out";
  p.project.config.cache_dir = root / "out" / "cache";  // a cache inside out/: never touched
  for (const char* id : ids) {
    plan::PlannedCue c;
    c.cue.id = id;
    c.cue.manifest = "m";
    c.render.output_path = root / "out" / "m" / (std::string(id) + ".wav");
    p.cues.push_back(std::move(c));
  }
  return p;
}

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

}  // namespace

TEST_CASE("a render no cue produces any more is removed with its sidecar; nothing else is") {
  TempRoot t;
  const fs::path root = t.path;
  plan::Plan before = plan_of(root, {"door", "rain"});
  plan::remember_outputs(before);
  for (const char* f : {"out/m/door.wav", "out/m/door.wav.json", "out/m/rain.wav", "out/m/rain.wav.json",
                        "out/m/mine.wav", "out/cache/objects/ab/abc.wav"})
    touch(root / f);

  // "rain" renamed to "storm"; a plan through ninja's generator edge only adds.
  plan::Plan after = plan_of(root, {"door", "storm"});
  plan::remember_outputs(after);
  CHECK(plan::dead_outputs(after) == std::vector<fs::path>{root / "out/m/rain.wav"});
  CHECK(plan::remove_dead_outputs(after) == std::vector<fs::path>{root / "out/m/rain.wav"});
  CHECK_FALSE(fs::exists(root / "out/m/rain.wav"));
  CHECK_FALSE(fs::exists(root / "out/m/rain.wav.json"));
  CHECK(fs::exists(root / "out/m/door.wav"));
  CHECK(fs::exists(root / "out/m/mine.wav"));                // never rendered by foley
  CHECK(fs::exists(root / "out/cache/objects/ab/abc.wav"));  // never a cache object
  CHECK(plan::dead_outputs(after).empty());
  CHECK(read_file(plan::output_record_path(after)) == "out/m/door.wav\nout/m/storm.wav\n");

  // A recorded path inside the cache, or outside out/, is never removed.
  std::ofstream(plan::output_record_path(after), std::ios::app) << "out/cache/objects/ab/abc.wav\nassets/bell.wav\n";
  touch(root / "assets/bell.wav");
  CHECK(plan::dead_outputs(after).empty());
  plan::remove_dead_outputs(after);
  CHECK(fs::exists(root / "assets/bell.wav"));
}
