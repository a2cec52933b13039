// A damaged index heals itself: truncated (with and without its WAL) or
// emptied, it is moved aside and rebuilt from the object records, paid flags,
// pins and credits included; no command dead-ends on "database disk image is
// malformed". And the ledger of paid answers that could not be used.
#include <catch2/catch.hpp>

#include "cache/index.h"
#include "cache/kept_answers.h"
#include "cache/object_meta.h"
#include "cache/object_store.h"
#include "cache/sqlite_db.h"
#include "cache/test_util.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

namespace {

// `n` objects, the even ones paid (10 credits each) and the first pinned.
std::vector<std::string> fill(Index& index, const ObjectStore& store, int n, const std::string& seed) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    std::string key = key_of(seed + std::to_string(i));
    index.record_object(store_object(store, key, std::string(3000 + i, static_cast<char>('a' + i % 26)),
                                     i % 2 == 0 ? 10.0 : 0.0, i % 2 == 0));
    keys.push_back(key);
  }
  index.set_pinned(keys[1], true);
  return keys;
}

int damaged_files(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("index.sqlite.damaged-", 0) == 0) ++n;
  return n;
}

void check_recovered(Index& index, const std::vector<std::string>& keys) {
  for (size_t i = 0; i < keys.size(); ++i) {
    auto rec = index.find_object(keys[i]);
    REQUIRE(rec);
    CHECK(rec->paid == (i % 2 == 0));
    CHECK(rec->is_protected() == (i % 2 == 0 || i == 1));
    CHECK(rec->credits == (i % 2 == 0 ? 10.0 : 0.0));
  }
  CHECK(index.integrity_check() == "ok");
}

}  // namespace

TEST_CASE("an index truncated to half is moved aside and rebuilt from the records") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  std::vector<std::string> keys;
  {
    Index index(dir.path());
    keys = fill(index, store, 40, "trunc");
  }
  CHECK_FALSE(fs::exists(dir.path() / "index.sqlite-wal"));
  const auto size = fs::file_size(Index::index_path(dir.path()));
  fs::resize_file(Index::index_path(dir.path()), size / 2);

  SECTION("with self-healing off it is an error naming the repair command") {
    auto attempt = [&] {
      Index index(dir.path(), IndexOptions{.self_heal = false});
      index.list_objects();
      index.stats();
    };
    CHECK_THROWS_WITH(attempt(), Catch::Contains("foley cache repair"));
  }
  SECTION("an ordinary open recovers") {
    Index index(dir.path());
    check_recovered(index, keys);
    CHECK(index.stats().paid == 20);
    CHECK(index.stats().pinned == 21);
    CHECK(damaged_files(dir.path()) == 1);
    Index again(dir.path());  // healthy now: nothing more is moved aside
    CHECK(again.list_objects().size() == 40);
    CHECK(damaged_files(dir.path()) == 1);
  }
}

TEST_CASE("an index truncated while its WAL holds recent writes recovers, WAL moved aside with it") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  std::vector<std::string> keys;
  {
    Index index(dir.path());
    keys = fill(index, store, 40, "wal");
  }
  Index writer(dir.path());  // stays open: its WAL is not checkpointed away
  std::string late = key_of("late");
  writer.record_object(store_object(store, late, "late bytes", 5.0, true));
  REQUIRE(fs::exists(dir.path() / "index.sqlite-wal"));
  fs::resize_file(Index::index_path(dir.path()), fs::file_size(Index::index_path(dir.path())) / 2);

  Index index(dir.path());
  check_recovered(index, keys);
  auto rec = index.find_object(late);
  REQUIRE(rec);
  CHECK(rec->paid);
  CHECK(rec->credits == 5.0);
  CHECK(damaged_files(dir.path()) >= 2);  // the file and its WAL
  CHECK(index.list_objects().size() == 41);
}

TEST_CASE("an emptied or deleted index adopts the objects on disk when it is created") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  std::vector<std::string> keys;
  {
    Index index(dir.path());
    keys = fill(index, store, 6, "empty");
  }
  SECTION("emptied") { fs::resize_file(Index::index_path(dir.path()), 0); }
  SECTION("deleted") { fs::remove(Index::index_path(dir.path())); }
  Index index(dir.path());
  check_recovered(index, keys);
  CHECK(index.stats().paid == 3);
  CHECK(index.stats().misses == 0);  // adopted, not generated

}

TEST_CASE("a paid but unusable answer: kept, numbered, and counted as spent") {
  TempCacheDir dir;
  Index index(dir.path());
  const int64_t build = index.begin_build();
  ObjectRecord call;
  call.gen_key = key_of("bad");
  call.engine = "elevenlabs";
  call.profile = "sfx";
  call.ext = "mp3";
  call.credits = 170;
  call.request_id = "req-bad";
  call.paid = true;
  CHECK(kept_answers(dir.path(), call.gen_key).empty());
  KeptAnswer first = keep_unusable_answer(dir.path(), call, "garbage", "no audio format");
  index.record_unusable_answer(first.call, first.reason, first.bytes_path.string(), build);
  KeptAnswer second = keep_unusable_answer(dir.path(), call, "more garbage", "no audio format");
  index.record_unusable_answer(second.call, second.reason, second.bytes_path.string(), build);
  CHECK(first.bytes_path == kept_answers_dir(dir.path(), call.gen_key) / "answer-1.mp3");
  CHECK(second.bytes_path == kept_answers_dir(dir.path(), call.gen_key) / "answer-2.mp3");
  CHECK(foley::read_file(first.bytes_path) == "garbage");

  auto kept = kept_answers(dir.path(), call.gen_key);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].call.credits == 170);
  CHECK(kept[0].call.request_id == "req-bad");
  CHECK(kept[0].reason == "no audio format");
  CHECK(kept[1].bytes_path == second.bytes_path);
  CHECK(kept[1].call.size == 12);

  CHECK(index.count_unusable_answers(call.gen_key) == 2);
  CHECK(index.credits_of_unusable_answers(call.gen_key) == 340);
  CHECK(index.stats().credits_spent == 340);
  CHECK(index.stats().misses == 0);
  CHECK(index.stats().objects == 0);
  auto b = index.finish_build(build, {});
  CHECK(b.credits_spent == 340);
  CHECK(b.misses == 0);
}
