#include <catch2/catch.hpp>

#include "cache/index.h"
#include "cache/test_util.h"

using namespace foley::cache;
using foley::cache::testing::TempCacheDir;

TEST_CASE("a take's score is kept per scoring model and prompt") {
  TempCacheDir dir;
  Index index(dir.path());
  const std::string key(32, 'a');
  CHECK(!index.find_take_score(key, "clap-1", "a door"));
  index.record_take_score({key, "clap-1", "a door", 0.25, 0});
  index.record_take_score({key, "clap-2", "a door", 0.5, 0});
  index.record_take_score({key, "clap-1", "a bell", -0.1, 0});
  CHECK(index.find_take_score(key, "clap-1", "a door") == 0.25);
  CHECK(index.find_take_score(key, "clap-2", "a door") == 0.5);
  CHECK(index.find_take_score(key, "clap-1", "a bell") == -0.1);
  CHECK(!index.find_take_score(std::string(32, 'b'), "clap-1", "a door"));
  // Scoring again replaces the row.
  index.record_take_score({key, "clap-1", "a door", 0.3, 0});
  CHECK(index.find_take_score(key, "clap-1", "a door") == 0.3);
  std::vector<TakeScore> all = index.take_scores(key);
  CHECK(all.size() == 3);
  for (const TakeScore& s : all) CHECK(s.scored_at > 0);
}

TEST_CASE("take scores survive reopening the index") {
  TempCacheDir dir;
  const std::string key(32, 'c');
  { Index(dir.path()).record_take_score({key, "clap-1", "rain", 0.75, 0}); }
  Index again(dir.path());
  CHECK(again.find_take_score(key, "clap-1", "rain") == 0.75);
}
