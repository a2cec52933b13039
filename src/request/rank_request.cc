#include "request/rank_request.h"

#include <cmath>

#include "common/atomic_file.h"
#include "common/error.h"
#include "request/spec_field.h"

namespace foley {
namespace {

std::vector<std::filesystem::path> paths(const std::vector<std::string>& texts) {
  return {texts.begin(), texts.end()};
}

std::vector<std::string> texts(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(p.string());
  return out;
}

}  // namespace

nlohmann::json RankRequest::to_json() const {
  return {{"spec_version", kSpecVersion}, {"rank_key", rank_key},       {"cue", cue},
          {"prompt", prompt},             {"rank_model", rank_model.string()}, {"device", device},
          {"take_keys", take_keys},       {"take_objects", texts(take_objects)}, {"cache_dir", cache_dir.string()}};
}

std::string RankRequest::spec_text() const { return to_json().dump() + "\n"; }

RankRequest RankRequest::from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": not a JSON object");
  if (spec_field<int>(j, "spec_version", origin) != kSpecVersion)
    throw Error(origin + ": spec_version is not " + std::to_string(kSpecVersion) + " (re-run `foley plan`)");
  RankRequest r;
  r.rank_key = spec_field<std::string>(j, "rank_key", origin);
  r.cue = spec_field<std::string>(j, "cue", origin);
  r.prompt = spec_field<std::string>(j, "prompt", origin);
  r.rank_model = spec_field<std::string>(j, "rank_model", origin);
  r.device = spec_field<std::string>(j, "device", origin);
  r.take_keys = spec_field<std::vector<std::string>>(j, "take_keys", origin);
  r.take_objects = paths(spec_field<std::vector<std::string>>(j, "take_objects", origin));
  r.cache_dir = spec_field<std::string>(j, "cache_dir", origin);
  if (r.take_keys.empty() || r.take_keys.size() != r.take_objects.size())
    throw Error(origin + ": take_keys and take_objects must be non-empty and of one length");
  return r;
}

std::filesystem::path ranking_path(const std::string& rank_key) {
  return std::filesystem::path(kRankingsDir) / (rank_key + ".json");
}

nlohmann::json Ranking::to_json() const {
  return {{"rank_key", rank_key}, {"scorer", scorer},   {"take_keys", take_keys},
          {"take_objects", texts(take_objects)}, {"scores", scores}, {"best", best}};
}

Ranking Ranking::from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": not a JSON object");
  Ranking r;
  r.rank_key = spec_field<std::string>(j, "rank_key", origin);
  r.scorer = spec_field<std::string>(j, "scorer", origin);
  r.take_keys = spec_field<std::vector<std::string>>(j, "take_keys", origin);
  r.take_objects = paths(spec_field<std::vector<std::string>>(j, "take_objects", origin));
  r.scores = spec_field<std::vector<double>>(j, "scores", origin);
  r.best = spec_field<int>(j, "best", origin);
  const size_t n = r.take_keys.size();
  if (n == 0 || r.take_objects.size() != n || r.scores.size() != n || r.best < 0 || static_cast<size_t>(r.best) >= n)
    throw Error(origin + ": a ranking holds one key, object and score per take and a best take among them");
  return r;
}

int best_take(const std::vector<double>& scores) {
  if (scores.empty()) throw Error("ranking: no takes to rank");
  int best = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i]))
      throw Error::failure("ranking: take " + std::to_string(i) + " scored " + std::to_string(scores[i]));
    if (scores[i] > scores[static_cast<size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

std::optional<Ranking> read_ranking(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(read_file(path), nullptr, false);
  return Ranking::from_json(j, path.string());
}

}  // namespace foley
