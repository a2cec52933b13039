#pragma once

#include <filesystem>

#include "cache/index.h"
#include "engines/ranking/take_scorer.h"
#include "request/rank_request.h"

namespace foley::generate {

// The rank step: scores every take of `request` with `scorer` (a take the
// index already holds a score for, by this scorer and prompt, is not scored
// again), records the scores in the index, and writes the ranking to `out`
// atomically and only when it changed (ninja's restat then re-renders
// nothing). Throws foley::Error naming the cue when a take's object is
// missing or the scorer fails.
Ranking rank_takes(const RankRequest& request, engines::TakeScorer& scorer, cache::Index& index,
                   const std::filesystem::path& out);

}  // namespace foley::generate
