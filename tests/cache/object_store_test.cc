#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "cache/object_store.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

TEST_CASE("path_for shards by the first two hex characters") {
  ObjectStore store("/c");
  std::string key = "ab" + std::string(30, '0');
  CHECK(store.path_for(key, "wav") == fs::path("/c/objects/ab/" + key + ".wav"));
  CHECK_THROWS_AS(store.path_for("AB" + std::string(30, '0'), "wav"), foley::Error);
  CHECK_THROWS_AS(store.path_for(key.substr(1), "wav"), foley::Error);
  CHECK_THROWS_AS(store.path_for(key, ""), foley::Error);
  CHECK_THROWS_AS(store.path_for(key, "../x"), foley::Error);
}

TEST_CASE("exists, checksum and listing of objects") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  CHECK(store.list_objects().empty());
  std::string k1 = key_of("one"), k2 = key_of("two");
  CHECK_FALSE(store.exists(k1, "wav"));
  foley::write_file_atomic(store.path_for(k1, "wav"), "one");
  foley::write_file_atomic(store.path_for(k2, "mp3"), "two!");
  CHECK(store.exists(k1, "wav"));
  CHECK_FALSE(store.exists(k1, "mp3"));
  CHECK(ObjectStore::checksum(store.path_for(k1, "wav")) == foley::xxh3_128("one").hex());

  // Not objects: a temp file, a stray file, an object in the wrong shard.
  foley::write_file_atomic(store.objects_dir() / k1.substr(0, 2) / (".tmp-" + k1 + ".wav.abc123"), "partial");
  foley::write_file_atomic(store.objects_dir() / "README", "hi");
  std::string wrong_shard = k1.substr(0, 2) == "00" ? "11" : "00";
  foley::write_file_atomic(store.objects_dir() / wrong_shard / (k1 + ".wav"), "misplaced");

  auto objects = store.list_objects();
  REQUIRE(objects.size() == 2);
  std::vector<std::string> keys{objects[0].gen_key, objects[1].gen_key};
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> expected{k1, k2};
  std::sort(expected.begin(), expected.end());
  CHECK(keys == expected);
  for (const auto& o : objects) CHECK(o.size == (o.gen_key == k1 ? 3 : 4));

  auto foreign = store.list_foreign_files();
  REQUIRE(foreign.size() == 2);
  CHECK(std::find(foreign.begin(), foreign.end(), store.objects_dir() / "README") != foreign.end());
}

TEST_CASE("sweep_temp_files removes old orphans and spares young ones and objects") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  std::string k = key_of("k");
  fs::path shard = store.objects_dir() / k.substr(0, 2);
  foley::write_file_atomic(store.path_for(k, "wav"), "object");
  foley::write_file_atomic(shard / ".tmp-old.wav.AAAAAA", "old");
  foley::write_file_atomic(shard / ".tmp-young.wav.BBBBBB", "young");
  fs::last_write_time(shard / ".tmp-old.wav.AAAAAA", fs::file_time_type::clock::now() - std::chrono::hours(2));

  auto removed = store.sweep_temp_files(std::chrono::hours(1));
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].filename() == ".tmp-old.wav.AAAAAA");
  CHECK_FALSE(fs::exists(shard / ".tmp-old.wav.AAAAAA"));
  CHECK(fs::exists(shard / ".tmp-young.wav.BBBBBB"));
  CHECK(store.exists(k, "wav"));

  CHECK(store.sweep_temp_files(std::chrono::seconds(0)).size() == 1);
  CHECK_FALSE(fs::exists(shard / ".tmp-young.wav.BBBBBB"));
  CHECK(store.exists(k, "wav"));
}

TEST_CASE("quarantine moves a file aside without overwriting an earlier copy") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  std::string k = key_of("q");
  fs::path p = store.path_for(k, "wav");
  foley::write_file_atomic(p, "first");
  fs::path q1 = store.quarantine(p);
  CHECK_FALSE(fs::exists(p));
  CHECK(q1.parent_path() == store.quarantine_dir());
  CHECK(foley::read_file(q1) == "first");
  foley::write_file_atomic(p, "second");
  fs::path q2 = store.quarantine(p);
  CHECK(q2 != q1);
  CHECK(foley::read_file(q1) == "first");
  CHECK(foley::read_file(q2) == "second");
}
