#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley {

// Where a cue's takes are ranked: one rank edge per distinct rank key, whose
// output is the ranking (.foley/ranks/<rank key>.json, relative to the
// project root) and whose spec is an entry of a pack in .foley/rankings
// (request/spec_pack.h), named by the rank key.
inline constexpr const char* kRankingsDir = ".foley/ranks";
inline constexpr const char* kRankPacksDir = ".foley/rankings";

// What ranks the takes of one cue: the CLAP folder, the prompt, the takes.
// The rank key hashes the takes' gen keys, the normalised prompt and the CLAP
// folder's fingerprint: the same inputs rank the same way, so a pick, a
// render setting or a re-plan never re-ranks.
struct RankRequest {
  static constexpr int kSpecVersion = 1;

  std::string rank_key;
  std::string cue;                                 // qualified id of the first cue using it (messages)
  std::string prompt;                              // as written
  std::filesystem::path rank_model;                // the CLAP folder
  std::string device = "cpu";                      // "cpu", "cuda", "cuda:N" or "auto"
  std::vector<std::string> take_keys;              // take i's gen key
  std::vector<std::filesystem::path> take_objects; // take i's cache object (absolute)
  std::filesystem::path cache_dir;

  nlohmann::json to_json() const;
  std::string spec_text() const;  // to_json().dump() + "\n"
  static RankRequest from_json(const nlohmann::json& j, const std::string& origin);
};

// The ranking path of a rank key, relative to the project root.
std::filesystem::path ranking_path(const std::string& rank_key);

// What a rank edge writes: a score per take and the best one.
struct Ranking {
  std::string rank_key;
  std::string scorer;                  // the scorer's fingerprint
  std::vector<std::string> take_keys;
  std::vector<std::filesystem::path> take_objects;
  std::vector<double> scores;          // one per take, higher is better
  int best = 0;                        // the first take of the highest score

  nlohmann::json to_json() const;
  // Throws foley::Error naming `origin` on a malformed ranking.
  static Ranking from_json(const nlohmann::json& j, const std::string& origin);
};

// The index of the first highest score (take order breaks ties, so a ranking
// is a function of its scores). Throws foley::Error when `scores` is empty
// or holds a non-finite value.
int best_take(const std::vector<double>& scores);

// Reads a ranking file; nothing when it does not exist (not ranked yet).
// Throws foley::Error when it exists and is malformed.
std::optional<Ranking> read_ranking(const std::filesystem::path& path);

}  // namespace foley
