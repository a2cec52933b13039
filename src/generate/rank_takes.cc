#include "generate/rank_takes.h"

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::generate {
namespace fs = std::filesystem;

Ranking rank_takes(const RankRequest& request, engines::TakeScorer& scorer, cache::Index& index,
                   const fs::path& out) {
  Ranking ranking;
  ranking.rank_key = request.rank_key;
  ranking.scorer = scorer.fingerprint();
  ranking.take_keys = request.take_keys;
  ranking.take_objects = request.take_objects;
  ranking.scores.assign(request.take_keys.size(), 0.0);

  std::vector<size_t> unscored;
  std::vector<fs::path> files;
  for (size_t t = 0; t < request.take_keys.size(); ++t) {
    std::error_code ec;
    if (!fs::exists(request.take_objects[t], ec))
      throw Error::failure(request.cue + ": take " + std::to_string(t) + " (" + request.take_objects[t].string() +
                           ") is not in the cache: generate it before ranking");
    std::optional<double> known = index.find_take_score(request.take_keys[t], ranking.scorer, request.prompt);
    if (known) {
      ranking.scores[t] = *known;
    } else {
      unscored.push_back(t);
      files.push_back(request.take_objects[t]);
    }
  }
  if (!files.empty()) {
    std::vector<double> scores = scorer.score(request.prompt, files);
    if (scores.size() != files.size())
      throw Error::failure(request.cue + ": the scorer gave " + std::to_string(scores.size()) + " score(s) for " +
                           std::to_string(files.size()) + " take(s)");
    for (size_t i = 0; i < unscored.size(); ++i) {
      ranking.scores[unscored[i]] = scores[i];
      index.record_take_score(
          cache::TakeScore{request.take_keys[unscored[i]], ranking.scorer, request.prompt, scores[i], 0});
    }
  }
  try {
    ranking.best = best_take(ranking.scores);
  } catch (const Error& e) {
    throw Error::failure(request.cue + ": " + e.what());
  }
  write_file_if_changed(out, ranking.to_json().dump(2) + "\n", Durability::kDerived);
  return ranking;
}

}  // namespace foley::generate
