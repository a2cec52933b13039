#include <catch2/catch.hpp>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"
#include "plan/project_identity.h"

using namespace foley;
namespace fs = std::filesystem;

namespace {

struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string templ = (fs::temp_directory_path() / "foley-identity-XXXXXX").string();
    path = mkdtemp(templ.data());
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("a project's history id is its name and an id made once, kept in .foley") {
  TempRoot a, b;
  const std::string first = plan::project_history_id(a.path, "drama");
  REQUIRE(first.rfind("drama#", 0) == 0);
  CHECK(first.size() == std::string("drama#").size() + 32);
  CHECK(fs::exists(a.path / ".foley" / "project-id"));
  CHECK(plan::project_history_id(a.path, "drama") == first);  // asked again: the same
  // Another folder with the same name is another project.
  CHECK(plan::project_history_id(b.path, "drama") != first);
  // The id travels with the folder: a moved project keeps its history.
  const fs::path moved = b.path / "moved";
  fs::copy(a.path, moved, fs::copy_options::recursive);
  CHECK(plan::project_history_id(moved, "drama") == first);
  // No temp file is left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(a.path / ".foley")) entries += e.is_regular_file();
  CHECK(entries == 1);
}

TEST_CASE("a damaged project id is an error naming the file") {
  TempRoot a;
  write_file_atomic(a.path / ".foley" / "project-id", "not an id\n");
  CHECK_THROWS_WITH(plan::project_history_id(a.path, "drama"),
                    Catch::Contains((a.path / ".foley" / "project-id").string()) && Catch::Contains("32 lowercase hex"));
}

TEST_CASE("a root whose .foley cannot hold the id keeps histories under the name") {
  TempRoot a;
  write_file_atomic(a.path / ".foley", "a file, not a folder\n");  // fails even for root, unlike permissions
  CHECK(plan::project_history_id(a.path, "drama") == "drama");
}
