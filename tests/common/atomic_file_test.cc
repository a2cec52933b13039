#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/error.h"

namespace fs = std::filesystem;

namespace {
// An empty folder for one test, removed with everything in it when the test ends.
struct FreshDir {
  fs::path path;
  explicit FreshDir(const std::string& name)
      : path(fs::temp_directory_path() / ("foley-test-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~FreshDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
size_t count_entries(const fs::path& d) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(d)) ++n;
  return n;
}
}  // namespace

TEST_CASE("write_file_atomic creates parents and replaces content") {
  FreshDir dir("atomic");
  const fs::path& d = dir.path;
  fs::path f = d / "a" / "b" / "file.txt";
  foley::write_file_atomic(f, "one");
  CHECK(foley::read_file(f) == "one");
  foley::write_file_atomic(f, "two");
  CHECK(foley::read_file(f) == "two");
  CHECK(count_entries(f.parent_path()) == 1);  // no temp file left behind
}

TEST_CASE("write_file_exclusive creates once, never replaces, and sets the mode") {
  FreshDir dir("exclusive");
  fs::path f = dir.path / "sub" / "secret";
  CHECK(foley::write_file_exclusive(f, "first\n", 0600));
  CHECK_FALSE(foley::write_file_exclusive(f, "second\n", 0600));
  CHECK(foley::read_file(f) == "first\n");
  CHECK((fs::status(f).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(count_entries(f.parent_path()) == 1);  // the losing writer's temp file is gone too
  fs::path g = dir.path / "public";
  CHECK(foley::write_file_exclusive(g, "x"));
  CHECK((fs::status(g).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
}

TEST_CASE("write_file_if_changed keeps mtime when content is equal") {
  FreshDir dir("ifchanged");
  const fs::path& d = dir.path;
  fs::path f = d / "build.ninja";
  CHECK(foley::write_file_if_changed(f, "x"));
  auto before = fs::last_write_time(f);
  CHECK_FALSE(foley::write_file_if_changed(f, "x"));
  CHECK(fs::last_write_time(f) == before);
  CHECK(foley::write_file_if_changed(f, "y"));
  CHECK(foley::read_file(f) == "y");
}

TEST_CASE("TempFile without commit leaves nothing behind") {
  FreshDir dir("tempfile");
  const fs::path& d = dir.path;
  {
    foley::TempFile t(d / "obj.wav");
    t.write("partial");
    CHECK(fs::exists(t.path()));
    CHECK(foley::is_temp_name(t.path().filename().string()));
  }
  CHECK(count_entries(d) == 0);
  {
    foley::TempFile t(d / "obj.wav");
    t.write("garbage");
    t.truncate();
    t.write("good");
    t.commit();
  }
  CHECK(foley::read_file(d / "obj.wav") == "good");
  CHECK(count_entries(d) == 1);
}

TEST_CASE("read_file names the missing path") {
  try {
    foley::read_file("/nonexistent/foley/file");
    FAIL("no exception");
  } catch (const foley::Error& e) {
    CHECK(std::string(e.what()).find("/nonexistent/foley/file") != std::string::npos);
  }
}
