#include <catch2/catch.hpp>

#include "cache/index.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;

namespace {

ObjectRecord make_record(const std::string& seed, double credits = 0, bool paid = false) {
  ObjectRecord r;
  r.gen_key = key_of(seed);
  r.engine = paid ? "elevenlabs" : "audioldm2";
  r.profile = "sfx";
  r.ext = "wav";
  r.request = {{"prompt", seed}, {"seed", 7}};
  r.size = 1000;
  r.checksum = key_of("bytes of " + seed);
  r.duration_seconds = 3.0;
  r.generation_seconds = 12.5;
  r.credits = credits;
  r.credits_estimated = true;
  r.request_id = "req-" + seed;
  r.attempts = 2;
  r.paid = paid;
  r.details = {{"steps", 200}};
  return r;
}

}  // namespace

TEST_CASE("record_object then find_object returns every field") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  auto rec = make_record("door", 40, true);
  index.record_object(rec);
  auto got = index.find_object(rec.gen_key);
  REQUIRE(got);
  CHECK(got->engine == "elevenlabs");
  CHECK(got->profile == "sfx");
  CHECK(got->ext == "wav");
  CHECK(got->request == rec.request);
  CHECK(got->size == 1000);
  CHECK(got->checksum == rec.checksum);
  CHECK(got->duration_seconds == 3.0);
  CHECK(got->generation_seconds == 12.5);
  CHECK(got->credits == 40);
  CHECK(got->credits_estimated);
  CHECK(got->request_id == "req-door");
  CHECK(got->attempts == 2);
  CHECK(got->paid);
  CHECK(got->pinned);  // paid implies pinned
  CHECK(got->created_at == *clock.now);
  CHECK(got->last_used_at == *clock.now);
  CHECK(got->hit_count == 0);
  CHECK(got->details == rec.details);
  CHECK_FALSE(index.find_object(key_of("nothing")));
}

TEST_CASE("record_object upserts: provenance replaced, created_at, hits and pin kept") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  auto rec = make_record("rain");
  index.record_object(rec);
  int64_t created = *clock.now;
  clock.advance(1000);
  REQUIRE(index.record_hit(rec.gen_key));
  REQUIRE(index.set_pinned(rec.gen_key, true));
  clock.advance(1000);
  rec.size = 2000;
  rec.checksum = key_of("new bytes");
  rec.request_id = "req-2";
  index.record_object(rec);
  auto got = index.find_object(rec.gen_key);
  REQUIRE(got);
  CHECK(got->size == 2000);
  CHECK(got->checksum == key_of("new bytes"));
  CHECK(got->request_id == "req-2");
  CHECK(got->created_at == created);
  CHECK(got->last_used_at == *clock.now);
  CHECK(got->hit_count == 1);
  CHECK(got->pinned);
  CHECK(index.list_objects().size() == 1);
}

TEST_CASE("malformed gen keys are refused") {
  TempCacheDir dir;
  Index index(dir.path());
  auto rec = make_record("x");
  rec.gen_key = "ABC";
  CHECK_THROWS_AS(index.record_object(rec), foley::Error);
  rec.gen_key = std::string(32, 'G');
  CHECK_THROWS_WITH(index.record_object(rec), Catch::Contains("not a gen key"));
}

TEST_CASE("hits, touch, pin and remove") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  auto rec = make_record("wind", 10);
  index.record_object(rec);
  clock.advance(500);
  CHECK(index.record_hit(rec.gen_key));
  CHECK(index.record_hit(rec.gen_key));
  auto got = index.find_object(rec.gen_key);
  CHECK(got->hit_count == 2);
  CHECK(got->last_used_at == *clock.now);
  clock.advance(500);
  CHECK(index.touch(rec.gen_key));
  CHECK(index.find_object(rec.gen_key)->last_used_at == *clock.now);
  CHECK(index.find_object(rec.gen_key)->hit_count == 2);
  CHECK_FALSE(index.record_hit(key_of("unknown")));
  CHECK_FALSE(index.touch(key_of("unknown")));
  CHECK(index.set_pinned(rec.gen_key, true));
  CHECK(index.find_object(rec.gen_key)->pinned);
  CHECK(index.set_pinned(rec.gen_key, false));
  CHECK_FALSE(index.find_object(rec.gen_key)->pinned);
  CHECK(index.remove_object(rec.gen_key));
  CHECK_FALSE(index.find_object(rec.gen_key));
  CHECK_FALSE(index.remove_object(rec.gen_key));
}

TEST_CASE("list_objects is in least-recently-used order") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  for (const char* s : {"a", "b", "c"}) {
    index.record_object(make_record(s));
    clock.advance(10);
  }
  index.record_hit(key_of("a"));  // a becomes most recent
  auto all = index.list_objects();
  REQUIRE(all.size() == 3);
  CHECK(all[0].gen_key == key_of("b"));
  CHECK(all[1].gen_key == key_of("c"));
  CHECK(all[2].gen_key == key_of("a"));
}

TEST_CASE("per-cue history is newest first and limited") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  CHECK_FALSE(index.last_cue_build("", "ep1:door"));
  for (int i = 0; i < 5; ++i) {
    CueBuild b;
    b.cue = "ep1:door";
    b.gen_key = key_of("g" + std::to_string(i));
    b.render_key = key_of("r" + std::to_string(i));
    b.fields = {{"prompt", "door " + std::to_string(i)}};
    index.record_cue_build(b);
    clock.advance(100);
  }
  index.record_cue_build({"ep1:rain", key_of("rain"), key_of("rr"), {{"prompt", "rain"}}, 0, 0});
  auto last = index.last_cue_build("", "ep1:door");
  REQUIRE(last);
  CHECK(last->gen_key == key_of("g4"));
  CHECK(last->fields["prompt"] == "door 4");
  auto history = index.cue_history("", "ep1:door", 3);
  REQUIRE(history.size() == 3);
  CHECK(history[0].render_key == key_of("r4"));
  CHECK(history[2].render_key == key_of("r2"));
  CHECK(history[0].built_at > history[1].built_at);
  CHECK(index.cue_history("", "ep1:door", 100).size() == 5);
  CHECK(index.cue_history("", "ep1:rain").size() == 1);
}

TEST_CASE("projects sharing a cache keep their own cue histories") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  CueBuild legacy{"main:first", "", key_of("old"), {{"seed", 1}}, 0, 0};  // an older foley's row: no project
  index.record_cue_build(legacy);
  clock.advance(100);
  CueBuild one{"main:first", "", key_of("one"), {{"seed", 300}}, 0, 0, "one"};
  index.record_cue_build(one);
  clock.advance(100);
  CueBuild two{"main:first", "", key_of("two"), {{"seed", 400}}, 0, 0, "two"};
  index.record_cue_build(two);
  REQUIRE(index.last_cue_build("one", "main:first"));
  CHECK(index.last_cue_build("one", "main:first")->fields["seed"] == 300);
  CHECK(index.last_cue_build("one", "main:first")->project == "one");
  CHECK(index.last_cue_build("two", "main:first")->fields["seed"] == 400);
  CHECK(index.cue_history("one", "main:first").size() == 2);  // its own row and the project-less one
  CHECK(index.last_cue_build("three", "main:first")->render_key == key_of("old"));
  CHECK(index.stats().cues == 3);
}

TEST_CASE("two projects with one name keep their own histories; a name-only row counts until the project records") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  CueBuild named{"main:first", "", key_of("named"), {{"seed", 1}}, 0, 0, "drama"};  // recorded under the name alone
  index.record_cue_build(named);
  clock.advance(100);
  CueBuild a{"main:first", "", key_of("a"), {{"seed", 300}}, 0, 0, "drama#aaaa"};
  index.record_cue_build(a);
  clock.advance(100);
  CueBuild b{"main:first", "", key_of("b"), {{"seed", 400}}, 0, 0, "drama#bbbb"};
  index.record_cue_build(b);
  clock.advance(100);
  CueBuild later_named{"main:first", "", key_of("later"), {{"seed", 2}}, 0, 0, "drama"};
  index.record_cue_build(later_named);
  // Each id reads its own row first, even when a newer row sits under the bare name.
  CHECK(index.last_cue_build("drama#aaaa", "main:first")->render_key == key_of("a"));
  CHECK(index.last_cue_build("drama#bbbb", "main:first")->render_key == key_of("b"));
  auto history = index.cue_history("drama#aaaa", "main:first");
  REQUIRE(history.size() == 3);  // its own row, then the two name-only rows; never b's
  CHECK(history[1].render_key == key_of("later"));
  CHECK(history[2].render_key == key_of("named"));
  // A project that has recorded nothing yet reads the name-only rows.
  CHECK(index.last_cue_build("drama#cccc", "main:first")->render_key == key_of("later"));
  CHECK_FALSE(index.last_cue_build("radio#aaaa", "main:first"));
}

TEST_CASE("builds accumulate hits and generations and finish with exit code") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  int64_t first = index.begin_build();
  index.record_object(make_record("paid", 100, true), first);
  index.record_object(make_record("local", 0), first);
  BuildStats extra;
  extra.exit_code = 0;
  index.finish_build(first, extra);

  clock.advance(1000);
  int64_t second = index.begin_build();
  CHECK(second != first);
  CHECK(index.record_hit(key_of("paid"), second));
  CHECK(index.record_hit(key_of("local"), second));
  BuildStats extra2;
  extra2.misses = 1;  // a generation that failed
  extra2.exit_code = 1;
  BuildStats b = index.finish_build(second, extra2);
  CHECK(b.hits == 2);
  CHECK(b.misses == 1);
  CHECK(b.generated == 0);
  CHECK(b.credits_saved == 100);
  CHECK(b.generation_seconds_saved == 25.0);
  CHECK(b.exit_code == 1);
  CHECK(b.finished_at == *clock.now);

  auto a = index.find_build(first);
  REQUIRE(a);
  CHECK(a->misses == 2);
  CHECK(a->generated == 2);
  CHECK(a->credits_spent == 100);
  CHECK(index.last_build()->id == second);
  CHECK_THROWS_AS(index.finish_build(9999, {}), foley::Error);
}

TEST_CASE("stats totals") {
  TempCacheDir dir;
  FakeClock clock;
  Index index(dir.path(), options_with(clock));
  CacheStats empty = index.stats();
  CHECK(empty.objects == 0);
  CHECK(empty.bytes == 0);
  CHECK_FALSE(empty.last_build);

  int64_t id = index.begin_build();
  auto paid = make_record("paid", 120, true);
  paid.size = 4000;
  index.record_object(paid, id);
  auto local = make_record("local", 0);
  local.size = 500;
  index.record_object(local, id);
  auto pinned = make_record("pinned", 0);
  pinned.pinned = true;
  index.record_object(pinned, id);
  index.record_cue_build({"ep1:a", paid.gen_key, key_of("ra"), {}, 0, id});
  index.record_cue_build({"ep1:a", paid.gen_key, key_of("ra2"), {}, 0, id});
  index.record_cue_build({"ep1:b", local.gen_key, key_of("rb"), {}, 0, id});
  index.record_hit(paid.gen_key, id);
  index.record_hit(paid.gen_key, id);
  index.record_hit(local.gen_key, id);
  index.finish_build(id, BuildStats{.exit_code = 0});

  CacheStats st = index.stats();
  CHECK(st.cues == 2);
  CHECK(st.objects == 3);
  CHECK(st.bytes == 4000 + 500 + 1000);
  CHECK(st.pinned == 2);
  CHECK(st.paid == 1);
  CHECK(st.hits == 3);
  CHECK(st.misses == 3);
  CHECK(st.credits_spent == 120);
  CHECK(st.credits_saved == 240);  // two hits of the 120-credit object
  CHECK(st.generation_seconds == Approx(3 * 12.5));
  CHECK(st.generation_seconds_saved == Approx(3 * 12.5));
  REQUIRE(st.last_build);
  CHECK(st.last_build->id == id);
  CHECK(st.last_build->hits == 3);
  CHECK(st.last_build->exit_code == 0);

  // Counters survive gc of the object they were earned by.
  index.remove_object(paid.gen_key);
  CHECK(index.stats().credits_saved == 240);
  CHECK(index.stats().objects == 2);
}

TEST_CASE("content hashes are remembered per (path, size, mtime, inode)") {
  TempCacheDir dir;
  Index index(dir.path());
  CHECK_FALSE(index.lookup_content_hash("/m/w.bin", 10, 20, 30));
  index.store_content_hash("/m/w.bin", 10, 20, 30, "abc");
  CHECK(index.lookup_content_hash("/m/w.bin", 10, 20, 30) == "abc");
  CHECK_FALSE(index.lookup_content_hash("/m/w.bin", 11, 20, 30));
  CHECK_FALSE(index.lookup_content_hash("/m/w.bin", 10, 21, 30));
  CHECK_FALSE(index.lookup_content_hash("/m/w.bin", 10, 20, 31));
  index.store_content_hash("/m/w.bin", 11, 20, 30, "def");
  CHECK(index.lookup_content_hash("/m/w.bin", 11, 20, 30) == "def");
  CHECK_FALSE(index.lookup_content_hash("/m/w.bin", 10, 20, 30));
}
