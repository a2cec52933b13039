#include <catch2/catch.hpp>

#include "cache/index.h"
#include "cache/schema.h"
#include "cache/sqlite_db.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using foley::cache::testing::TempCacheDir;

TEST_CASE("a new index is created at the current schema version in WAL mode") {
  TempCacheDir dir;
  {
    Index index(dir.path());
    CHECK(index.schema_version() == current_schema_version());
    CHECK(current_schema_version() >= 1);
    CHECK(index.integrity_check() == "ok");
  }
  CHECK(std::filesystem::exists(Index::index_path(dir.path())));
  Database db(Index::index_path(dir.path()).string());
  Statement mode(db, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
  Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  while (tables.step()) names.push_back(tables.column_text(0));
  CHECK(names == std::vector<std::string>{"builds", "counters", "cue_builds", "meta", "objects", "stat_hashes",
                                                "take_scores", "unusable_answers"});
}

TEST_CASE("reopening an index keeps its data and does not re-run migrations") {
  TempCacheDir dir;
  {
    Index index(dir.path());
    index.record_cue_build({"ep1:door", "", "r1", {}, 0, 0});
  }
  Index again(dir.path());
  CHECK(again.schema_version() == current_schema_version());
  CHECK(again.cue_history("", "ep1:door").size() == 1);
}

TEST_CASE("migrate from an empty database reaches the current version") {
  TempCacheDir dir;
  Database db((dir.path() / "x.sqlite").string());
  CHECK(read_schema_version(db) == 0);
  migrate(db, 0);
  CHECK(read_schema_version(db) == current_schema_version());
}

TEST_CASE("an index written by a newer foley is refused with a clear error") {
  TempCacheDir dir;
  { Index index(dir.path()); }
  {
    Database db(Index::index_path(dir.path()).string());
    db.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  }
  try {
    Index index(dir.path());
    FAIL("a newer index was opened");
  } catch (const foley::Error& e) {
    std::string msg = e.what();
    CHECK(e.exit_code() == 2);
    CHECK(msg.find("schema version 99") != std::string::npos);
    CHECK(msg.find("up to " + std::to_string(current_schema_version())) != std::string::npos);
    CHECK(msg.find("index.sqlite") != std::string::npos);
  }
}

TEST_CASE("a garbage schema_version row is an error, not version 0") {
  TempCacheDir dir;
  { Index index(dir.path()); }
  {
    Database db(Index::index_path(dir.path()).string());
    db.exec("UPDATE meta SET value = 'banana' WHERE key = 'schema_version'");
  }
  CHECK_THROWS_WITH(Index(dir.path()), Catch::Contains("banana"));
}

TEST_CASE("a file that is not an SQLite database is a clear error naming it (self-healing off)") {
  TempCacheDir dir;
  foley::write_file_atomic(Index::index_path(dir.path()), std::string(4096, 'z'));
  try {
    Index index(dir.path(), IndexOptions{.self_heal = false});
    FAIL("garbage opened as an index");
  } catch (const foley::Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("index.sqlite") != std::string::npos);
    CHECK(msg.find("not a database") != std::string::npos);
  }
}

TEST_CASE("a file that is not an SQLite database is moved aside and replaced (self-healing on)") {
  TempCacheDir dir;
  foley::write_file_atomic(Index::index_path(dir.path()), std::string(4096, 'z'));
  Index index(dir.path());
  CHECK(index.schema_version() == current_schema_version());
  int aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().rfind("index.sqlite.damaged-", 0) == 0) {
      ++aside;
      CHECK(foley::read_file(e.path()) == std::string(4096, 'z'));  // kept as it was
    }
  CHECK(aside == 1);
}
