// The record a farm node leaves for the submit host: round trip, recorded as a
// generation (with where it ran) or a hit, and a mismatching object refused.
#include <catch2/catch.hpp>

#include "cache/index.h"
#include "cache/object_store.h"
#include "cache/pending_record.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

TEST_CASE("a pending record is recorded on the index's host as the node made it") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  Index index(dir.path());  // before the object: a new index adopts objects it finds
  const std::string key = key_of("farm");
  PendingRecord p;
  p.record = store_object(store, key, std::string(4000, 'x'));
  p.summary = "foley-gen: generated fx01\n";
  p.where = {{"host", "node7"}, {"cuda_visible_devices", "1"}};
  const fs::path file = pending_record_path(dir.path() / "records", key);
  write_pending_record(file, p);
  std::optional<PendingRecord> read = read_pending_record(file);
  REQUIRE(read);
  CHECK(read->kind == PendingRecord::Kind::kGenerated);
  CHECK(read->summary == p.summary);
  CHECK(read->record.checksum == p.record.checksum);

  record_pending(index, *read, store.path_for(key, "wav"), 9);
  std::optional<ObjectRecord> rec = index.find_object(key);
  REQUIRE(rec);
  CHECK(rec->details["farm"]["host"] == "node7");
  CHECK(rec->details["farm"]["cuda_visible_devices"] == "1");
  CHECK_FALSE(read_pending_record(dir.path() / "records" / "none.json").has_value());
}

TEST_CASE("a pending record whose object differs is an error, not a record") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  Index index(dir.path());  // before the object: a new index adopts objects it finds
  const std::string key = key_of("farm2");
  PendingRecord p;
  p.record = store_object(store, key, std::string(4000, 'x'));
  p.record.checksum = key_of("something else");
  CHECK_THROWS_WITH(record_pending(index, p, store.path_for(key, "wav"), 0), Catch::Contains("checksum"));
  CHECK_FALSE(index.find_object(key).has_value());
}

TEST_CASE("a present object found by the node is adopted and counted as a hit") {
  TempCacheDir dir;
  ObjectStore store(dir.path());
  Index index(dir.path());  // before the object: a new index adopts objects it finds
  const std::string key = key_of("farm3");
  PendingRecord p;
  p.kind = PendingRecord::Kind::kPresent;
  p.record = store_object(store, key, std::string(100, 'y'));
  record_pending(index, p, store.path_for(key, "wav"), 0);
  std::optional<ObjectRecord> rec = index.find_object(key);
  REQUIRE(rec);
  CHECK(rec->hit_count == 1);
}
