#include "cli/take_list.h"

#include "common/error.h"
#include "engines/catalog.h"
#include "request/rank_request.h"

namespace foley::cli {
namespace fs = std::filesystem;

TakeListing list_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index) {
  TakeListing out;
  std::optional<Ranking> ranking;
  if (!cue.rank_key.empty()) {
    try {
      ranking = read_ranking(plan.project.config.root / ranking_path(cue.rank_key));
    } catch (const Error&) {
      ranking.reset();  // a damaged ranking reads as not ranked: its edge rewrites it
    }
    out.ranking_state = ranking ? "ranked by " + ranking->scorer : "not ranked yet (build to rank)";
  } else {
    out.ranking_state = cue.take_keys.size() > 1 ? "unranked: profile `" + cue.cue.engine + "` has no rank model"
                                                 : "one take";
  }
  for (size_t t = 0; t < cue.take_keys.size(); ++t) {
    const GenRequest& req = plan.generations.at(cue.take_keys[t]);
    TakeRow row;
    row.index = static_cast<int>(t);
    row.gen_key = req.gen_key;
    row.object = req.object_path;
    std::error_code ec;
    row.present = fs::exists(req.object_path, ec);
    row.engine = req.engine;
    row.seed = req.key_fields.contains("seed") ? req.key_fields["seed"] : nlohmann::json();
    if (ranking && ranking->take_keys.size() == cue.take_keys.size()) row.score = ranking->scores[t];
    if (std::optional<cache::ObjectRecord> rec = row.present ? index.find_object(req.gen_key) : std::nullopt) {
      row.duration = rec->duration_seconds;
      row.credits = rec->credits;
      row.credits_estimated = rec->credits_estimated;
    } else if (!row.present) {
      const engines::EngineRow& engine = engines::engine_row(req.engine);
      if (engine.credit_estimate) {
        row.credits = engine.credit_estimate(req.key_fields, req.settings);
        row.credits_estimated = true;
      }
    }
    row.picked = cue.pick && cue.stale_pick.empty() && cue.rendered_take == row.index;
    row.rendered = cue.stale_pick.empty() &&
                   (cue.rendered_take >= 0 ? cue.rendered_take == row.index : ranking && ranking->best == row.index);
    out.rows.push_back(std::move(row));
  }
  return out;
}

nlohmann::json takes_json(const TakeListing& listing) {
  nlohmann::json rows = nlohmann::json::array();
  for (const TakeRow& r : listing.rows) {
    nlohmann::json j = {{"take", r.index},       {"gen_key", r.gen_key},   {"object", r.object.string()},
                        {"present", r.present},  {"engine", r.engine},     {"seed", r.seed},
                        {"rendered", r.rendered}, {"picked", r.picked}};
    j["score"] = r.score ? nlohmann::json(*r.score) : nlohmann::json();
    j["duration"] = r.duration ? nlohmann::json(*r.duration) : nlohmann::json();
    j["credits"] = r.credits ? nlohmann::json(*r.credits) : nlohmann::json();
    j["credits_estimated"] = r.credits_estimated;
    rows.push_back(std::move(j));
  }
  return rows;
}

}  // namespace foley::cli
