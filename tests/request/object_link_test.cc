// Object links: what ninja sees of the cache (relative inside the project,
// absolute outside it, replaced atomically, all dropped for another cache).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fstream>

#include "request/object_link.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "foley-link-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const std::string kKey = "0123456789abcdef0123456789abcdef";

}  // namespace

TEST_CASE("an object's link lives in .foley/objects, sharded like the cache") {
  CHECK(object_link_path(kKey, "wav") == fs::path(".foley/objects/01") / (kKey + ".wav"));
}

TEST_CASE("link_object links relatively inside the project, absolutely outside it") {
  Scratch s;
  const fs::path root = s.dir / "project", outside = s.dir / "shared-cache";
  const fs::path inner = root / "cache/objects/01" / (kKey + ".wav");
  const fs::path outer = outside / "objects/01" / (kKey + ".wav");
  fs::create_directories(inner.parent_path());
  fs::create_directories(outer.parent_path());
  std::ofstream(inner) << "inside";
  std::ofstream(outer) << "outside";
  const fs::path link = object_link_path(kKey, "wav");

  link_object(root, link, inner);
  CHECK(fs::read_symlink(root / link) == fs::path("../../../cache/objects/01") / (kKey + ".wav"));
  // A copied project's link resolves into the copy's own cache.
  fs::copy(root, s.dir / "copy", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::remove(inner);
  CHECK_FALSE(fs::exists(root / link));  // ninja reads a dangling link as missing
  std::ifstream in(s.dir / "copy" / link);
  std::string text;
  in >> text;
  CHECK(text == "inside");

  link_object(root, link, outer);  // replaced atomically, no temp left beside it
  CHECK(fs::read_symlink(root / link) == outer);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator((root / link).parent_path())) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("a plan for another cache removes every link") {
  Scratch s;
  const fs::path root = s.dir;
  fs::create_directories(root / "cache/objects/01");
  std::ofstream(root / "cache/objects/01" / (kKey + ".wav")) << "x";
  write_object_links_cache(root, root / "cache");
  link_object(root, object_link_path(kKey, "wav"), root / "cache/objects/01" / (kKey + ".wav"));

  write_object_links_cache(root, root / "cache");  // same cache: links kept
  CHECK(fs::is_symlink(root / object_link_path(kKey, "wav")));
  write_object_links_cache(root, s.dir / "elsewhere");
  CHECK_FALSE(fs::is_symlink(root / object_link_path(kKey, "wav")));
  CHECK(fs::exists(root / "cache/objects/01" / (kKey + ".wav")));  // never the object
}
