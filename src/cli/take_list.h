#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/index.h"
#include "plan/planner.h"

namespace foley::cli {

// One take of a cue as `foley takes`, `foley status --json` and `foley
// explain` show it.
struct TakeRow {
  int index = 0;
  std::string gen_key;
  std::filesystem::path object;
  bool present = false;                 // its object is in the cache
  std::optional<double> score;          // from the cue's ranking, once ranked
  nlohmann::json seed;                  // its key's seed (null when the engine has none)
  std::optional<double> duration;       // seconds, once generated
  std::string engine;
  std::optional<double> credits;        // spent (generated) or estimated (paid, not yet)
  bool credits_estimated = false;
  bool rendered = false;                // the take the cue's delivered file reads, when known
  bool picked = false;                  // locked in foley.lock
};

struct TakeListing {
  std::vector<TakeRow> rows;
  std::string ranking_state;            // "ranked by <scorer>", "not ranked yet", "unranked (no rank model)"
};

// The takes of a generated cue. Reads its ranking (when its rank edge ran)
// and the index's records.
TakeListing list_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index);

// The same as JSON (status --json).
nlohmann::json takes_json(const TakeListing& listing);

}  // namespace foley::cli
