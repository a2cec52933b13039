#include "cli/gen_rank.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cache/index.h"
#include "common/error.h"
#include "engines/ranking/take_scorer.h"
#include "generate/rank_takes.h"
#include "request/rank_request.h"
#include "request/spec_pack.h"
#include "tensor/cuda/select_device.h"

namespace foley::cli {
namespace fs = std::filesystem;

int run_rank(const fs::path& ranking) {
  const std::string key = ranking.stem().string();
  const std::string origin = spec_origin(kRankPacksDir, key);
  RankRequest req =
      RankRequest::from_json(nlohmann::json::parse(read_spec_text(kRankPacksDir, key), nullptr, false), origin);
  const tensor::Placement placement = tensor::Placement::on(tensor::select_device(req.device));
  // The one place a scorer is opened: every rank edge comes through here.
  std::unique_ptr<engines::TakeScorer> scorer;
  try {
    scorer = engines::open_clap_scorer(req.rank_model, placement);
  } catch (const Error& e) {
    throw Error(req.cue + ": cannot rank its takes with " + req.rank_model.string() + ": " + e.what());
  }
  cache::Index index(req.cache_dir);
  Ranking result = generate::rank_takes(req, *scorer, index, ranking);
  std::printf("ranked %zu takes of %s: take %d is the best (score %.4f)\n", result.scores.size(), req.cue.c_str(),
              result.best, result.scores[static_cast<size_t>(result.best)]);
  return 0;
}

}  // namespace foley::cli
