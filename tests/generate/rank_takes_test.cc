#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "generate/rank_takes.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

// Scores a take by its file's size: the test decides which take wins.
class SizeScorer : public engines::TakeScorer {
 public:
  std::string fingerprint() const override { return "size-scorer-1"; }
  std::vector<double> score(const std::string& prompt, const std::vector<fs::path>& files) override {
    last_prompt = prompt;
    calls.push_back(files);
    std::vector<double> out;
    for (const auto& f : files) out.push_back(static_cast<double>(fs::file_size(f)));
    return out;
  }
  std::string last_prompt;
  std::vector<std::vector<fs::path>> calls;
};

struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("foley-rank-" + std::to_string(::getpid()));
  Fixture() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Fixture() { fs::remove_all(dir); }

  // A request over `sizes.size()` takes whose objects hold that many bytes.
  RankRequest request(const std::vector<size_t>& sizes) {
    RankRequest r;
    r.rank_key = "0123456789abcdef0123456789abcdef";
    r.cue = "ep1:door";
    r.prompt = "a door";
    r.rank_model = dir / "clap";
    r.cache_dir = dir / "cache";
    for (size_t t = 0; t < sizes.size(); ++t) {
      std::string key(32, 'a');
      key[31] = static_cast<char>('0' + t);
      fs::path object = dir / (key + ".wav");
      write_file_atomic(object, std::string(sizes[t], 'x'));
      r.take_keys.push_back(key);
      r.take_objects.push_back(object);
    }
    return r;
  }
};

}  // namespace

TEST_CASE("the best-scored take wins; scores go to the index and the ranking file") {
  Fixture f;
  RankRequest req = f.request({10, 30, 20});
  SizeScorer scorer;
  cache::Index index(f.dir / "cache");
  const fs::path out = f.dir / "ranks" / (req.rank_key + ".json");
  Ranking r = generate::rank_takes(req, scorer, index, out);
  CHECK(r.best == 1);
  CHECK(r.scores == std::vector<double>{10, 30, 20});
  CHECK(r.scorer == "size-scorer-1");
  CHECK(scorer.last_prompt == "a door");
  REQUIRE(scorer.calls.size() == 1);
  CHECK(scorer.calls[0].size() == 3);
  CHECK(index.find_take_score(req.take_keys[2], "size-scorer-1", "a door") == 20.0);
  CHECK(!index.find_take_score(req.take_keys[2], "another-model", "a door"));
  std::optional<Ranking> read = read_ranking(out);
  REQUIRE(read);
  CHECK(read->best == 1);
  CHECK(read->take_keys == req.take_keys);
  CHECK(index.take_scores(req.take_keys[1]).at(0).score == 30.0);
}

TEST_CASE("takes scored before by the same model are not scored again; an unchanged ranking is not rewritten") {
  Fixture f;
  SizeScorer scorer;
  cache::Index index(f.dir / "cache");
  const fs::path out = f.dir / "ranking.json";
  RankRequest three = f.request({10, 30, 20});
  generate::rank_takes(three, scorer, index, out);
  const auto written = fs::last_write_time(out);

  // Five takes: only the two new ones reach the model.
  RankRequest five = f.request({10, 30, 20, 50, 5});
  Ranking r = generate::rank_takes(five, scorer, index, out);
  REQUIRE(scorer.calls.size() == 2);
  CHECK(scorer.calls[1] == std::vector<fs::path>{five.take_objects[3], five.take_objects[4]});
  CHECK(r.best == 3);

  // The same again: nothing scored, the file left alone (ninja's restat).
  const auto before = fs::last_write_time(out);
  generate::rank_takes(five, scorer, index, out);
  CHECK(scorer.calls.size() == 2);
  CHECK(fs::last_write_time(out) == before);
  CHECK(written <= before);
}

TEST_CASE("ties go to the earlier take; a missing take or a bad score is an error naming the cue") {
  CHECK(best_take({1.0, 3.0, 3.0}) == 1);
  CHECK_THROWS_AS(best_take({}), Error);
  CHECK_THROWS_WITH(best_take({0.5, std::nan("")}), Catch::Contains("take 1"));
  Fixture f;
  RankRequest req = f.request({10, 20});
  fs::remove(req.take_objects[1]);
  SizeScorer scorer;
  cache::Index index(f.dir / "cache");
  CHECK_THROWS_WITH(generate::rank_takes(req, scorer, index, f.dir / "r.json"),
                    Catch::Contains("ep1:door: take 1") && Catch::Contains("not in the cache"));
  CHECK(scorer.calls.empty());
}
