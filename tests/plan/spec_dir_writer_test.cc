// SpecDirWriter: writes only what changed, notices a spec that went missing,
// removes specs no cue uses, and drops its state before the first write so a
// plan killed half-way is never trusted.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plan/spec_dir_writer.h"

namespace fs = std::filesystem;
using foley::plan::SpecDirWriter;

namespace {

fs::path fresh_dir() {
  std::string tmpl = (fs::temp_directory_path() / "foley-specdir-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("spec directories are rewritten only where the plan changed") {
  const fs::path root = fresh_dir();
  const fs::path dir = root / "renders";
  {
    SpecDirWriter w(dir);
    w.write("a.json", "A1\n");
    w.write("b.json", "B1\n");
    w.finish();
    CHECK(w.written() == 2);
  }
  CHECK(read(dir / "a.json") == "A1\n");
  CHECK(fs::exists(dir / ".state"));

  // Same plan: nothing written, nothing removed.
  {
    SpecDirWriter w(dir);
    w.write("a.json", "A1\n");
    w.write("b.json", "B1\n");
    w.finish();
    CHECK(w.written() == 0);
    CHECK(w.removed() == 0);
  }

  // One spec changed, one deleted behind our back, one no longer used, one new.
  fs::remove(dir / "b.json");
  {
    SpecDirWriter w(dir);
    w.write("a.json", "A2\n");
    // The state is gone as soon as anything is written: a plan killed here
    // leaves no state, and the next one rewrites every spec.
    CHECK_FALSE(fs::exists(dir / ".state"));
    w.write("b.json", "B1\n");
    w.write("c.json", "C1\n");
    w.finish();
    CHECK(w.written() == 3);
  }
  CHECK(read(dir / "a.json") == "A2\n");
  CHECK(read(dir / "b.json") == "B1\n");
  {
    SpecDirWriter w(dir);
    w.write("c.json", "C1\n");
    w.finish();
    CHECK(w.written() == 0);
    CHECK(w.removed() == 2);
  }
  CHECK_FALSE(fs::exists(dir / "a.json"));
  CHECK_FALSE(fs::exists(dir / "b.json"));
  CHECK(fs::exists(dir / "c.json"));

  // No state (a killed plan): every spec is written again.
  fs::remove(dir / ".state");
  {
    SpecDirWriter w(dir);
    w.write("c.json", "C1\n");
    w.finish();
    CHECK(w.written() == 1);
  }
  fs::remove_all(root);
}

TEST_CASE("packs are managed, and the one-file-per-spec layout of earlier versions is swept") {
  const fs::path root = fresh_dir();
  const fs::path dir = root / "requests";
  fs::create_directories(dir);
  std::ofstream(dir / "0badc0de0badc0de0badc0de0badc0de.json") << "{}\n";  // old layout
  std::ofstream(dir / ".tmp-Ab12Cd.0b.specs") << "0b";                       // a killed writer's temp file
  std::ofstream(dir / "notes.txt") << "kept";                               // not ours
  {
    SpecDirWriter w(dir);
    w.write("0b.specs", "0badc0de\t{}\n");
    w.finish();
    CHECK(w.written() == 1);
    CHECK(w.removed() == 2);
  }
  CHECK(fs::exists(dir / "0b.specs"));
  CHECK_FALSE(fs::exists(dir / "0badc0de0badc0de0badc0de0badc0de.json"));
  CHECK_FALSE(fs::exists(dir / ".tmp-Ab12Cd.0b.specs"));
  CHECK(fs::exists(dir / "notes.txt"));
  {
    SpecDirWriter w(dir);
    w.finish();  // a plan with no entries left in this directory
    CHECK(w.removed() == 1);
  }
  CHECK_FALSE(fs::exists(dir / "0b.specs"));
  fs::remove_all(root);
}
