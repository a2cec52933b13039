#include <catch2/catch.hpp>

#include "cache/gc.h"
#include "cache/index.h"
#include "cache/object_store.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

namespace {

// Five 100-byte objects recorded 1 s apart: k0 oldest ... k4 newest; k1 is
// pinned, k3 is paid.
struct Fixture {
  TempCacheDir dir;
  FakeClock clock;
  Index index{dir.path(), options_with(clock)};
  ObjectStore store{dir.path()};
  std::vector<std::string> keys;

  Fixture() {
    for (int i = 0; i < 5; ++i) {
      keys.push_back(key_of("obj" + std::to_string(i)));
      auto rec = store_object(store, keys.back(), std::string(100, static_cast<char>('a' + i)), i == 3 ? 50 : 0,
                              i == 3);
      rec.pinned = (i == 1);
      index.record_object(rec);
      clock.advance(1000);
    }
  }
  bool present(int i) { return store.exists(keys[i], "wav") && index.find_object(keys[i]).has_value(); }
  bool absent(int i) { return !store.exists(keys[i], "wav") && !index.find_object(keys[i]).has_value(); }
};

std::vector<std::string> removed_keys(const GcResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.removed) out.push_back(e.gen_key);
  return out;
}

}  // namespace

TEST_CASE("gc by size evicts least recently used first, sparing pinned and paid") {
  Fixture f;
  f.index.record_hit(f.keys[0]);  // k0 becomes the most recently used
  GcOptions o;
  o.max_size = 250;
  auto r = gc(f.index, f.store, o);
  // LRU order is k1(pinned) k2 k3(paid) k4 k0: k2 and k4 go, then 300 <= 250? no:
  // 500 - 100 (k2) - 100 (k4) = 300 > 250, so k0 goes too, reaching 200.
  CHECK(removed_keys(r) == std::vector<std::string>{f.keys[2], f.keys[4], f.keys[0]});
  CHECK(r.count == 3);
  CHECK(r.bytes == 300);
  CHECK(r.bytes_before == 500);
  CHECK(r.bytes_after == 200);
  CHECK(r.protected_kept == 2);
  CHECK(f.absent(0));
  CHECK(f.present(1));
  CHECK(f.absent(2));
  CHECK(f.present(3));
  CHECK(f.absent(4));
}

TEST_CASE("gc stops as soon as the cache fits") {
  Fixture f;
  GcOptions o;
  o.max_size = 400;
  auto r = gc(f.index, f.store, o);
  CHECK(removed_keys(r) == std::vector<std::string>{f.keys[0]});
  CHECK(f.present(2));
}

TEST_CASE("gc never deletes pinned or paid objects without include_pinned") {
  Fixture f;
  GcOptions o;
  o.max_size = 0;
  auto r = gc(f.index, f.store, o);
  CHECK(r.count == 3);
  CHECK(r.bytes_after == 200);
  CHECK(f.present(1));
  CHECK(f.present(3));

  o.include_pinned = true;
  auto r2 = gc(f.index, f.store, o);
  CHECK(removed_keys(r2) == std::vector<std::string>{f.keys[1], f.keys[3]});
  CHECK(f.absent(1));
  CHECK(f.absent(3));
  CHECK(f.index.list_objects().empty());
}

TEST_CASE("gc unreferenced_only keeps the plan's keys") {
  Fixture f;
  GcOptions o;
  o.unreferenced_only = true;
  o.referenced = {f.keys[0], f.keys[4]};
  auto r = gc(f.index, f.store, o);
  CHECK(removed_keys(r) == std::vector<std::string>{f.keys[2]});
  CHECK(r.protected_kept == 2);
  CHECK(f.present(0));
  CHECK(f.present(4));
  CHECK(f.present(1));
  CHECK(f.present(3));
}

TEST_CASE("gc dry run deletes nothing but reports the same plan") {
  Fixture f;
  GcOptions o;
  o.max_size = 150;
  o.dry_run = true;
  auto dry = gc(f.index, f.store, o);
  CHECK(dry.dry_run);
  CHECK(dry.count == 3);
  for (int i = 0; i < 5; ++i) CHECK(f.present(i));
  o.dry_run = false;
  auto real = gc(f.index, f.store, o);
  CHECK(removed_keys(real) == removed_keys(dry));
  CHECK(real.bytes == dry.bytes);
}

TEST_CASE("gc sweeps old temp files and rejects meaningless options") {
  Fixture f;
  fs::path tmp = f.store.objects_dir() / "ab" / ".tmp-x.wav.QQQQQQ";
  foley::write_file_atomic(tmp, "orphan");
  fs::last_write_time(tmp, fs::file_time_type::clock::now() - std::chrono::hours(3));
  GcOptions o;
  o.max_size = 1 << 20;
  auto r = gc(f.index, f.store, o);
  CHECK(r.count == 0);
  CHECK(r.temp_files_removed == std::vector<fs::path>{tmp});
  CHECK_FALSE(fs::exists(tmp));

  CHECK_THROWS_AS(gc(f.index, f.store, GcOptions{}), foley::Error);
  GcOptions negative;
  negative.max_size = -1;
  CHECK_THROWS_AS(gc(f.index, f.store, negative), foley::Error);
}
