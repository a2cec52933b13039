#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/cue_state.h"
#include "cli/farm_status.h"
#include "cli/project_context.h"
#include "cli/take_list.h"
#include "cli/team_cache_use.h"
#include "engines/catalog.h"
#include "generate/team_cache.h"
#include "plan/output_record.h"

namespace foley::cli {
namespace {

struct CategoryTotals {
  int cues = 0, stale = 0, generations = 0;
  double seconds = 0.0, credits = 0.0;
};

// Every generation the cue still needs (each absent take) is on the team cache.
bool all_on_remote(const CueState& s, const std::set<std::string>& on_remote) {
  if (s.missing_keys.empty()) return false;
  for (const std::string& key : s.missing_keys)
    if (!on_remote.count(key)) return false;
  return true;
}

std::string cost_text(const CueState& s, const std::set<std::string>& on_remote) {
  if (!s.cue->unavailable.empty()) return "unavailable";
  if (!s.needs_generation) return s.cue->cue.type == "generated" ? "cached" : "free";
  if (all_on_remote(s, on_remote)) return "team cache";
  if (s.credits) {
    char buf[96];
    if (s.cue->take_keys.size() > 1)
      std::snprintf(buf, sizeof buf, "~%.0f credits (%zu takes)", *s.credits, s.missing_keys.size());
    else
      std::snprintf(buf, sizeof buf, "~%.0f credits", *s.credits);
    return buf;
  }
  return "local (free)";
}

int run_status(const std::filesystem::path& dir, bool json_out, bool quiet) {
  ProjectContext ctx = load_and_plan(dir);
  std::vector<CueState> states;
  for (const auto& c : ctx.plan.cues) states.push_back(cue_state(ctx.plan, c, *ctx.index));

  // What the team cache holds is fetched, not generated: it is not priced.
  std::set<std::string> on_remote;
  if (!quiet && ctx.remote) {
    std::set<std::string> seen;
    std::vector<const GenRequest*> needed;
    for (const auto& s : states)
      for (const std::string& key : s.missing_keys)
        if (seen.insert(key).second) needed.push_back(&ctx.plan.generations.at(key));
    if (!needed.empty()) {
      auto remote = open_team_cache(*ctx.remote, ctx.plan.project.config.cache_dir, 0);
      on_remote = generate::team_cache_holds(needed, *remote);
    }
  }

  // Totals count each generation once, however many cues share it.
  std::set<std::string> counted;
  int from_remote = 0;
  std::map<std::string, CategoryTotals> by_category;
  int stale = 0, generations = 0;
  double credits = 0.0;
  for (const auto& s : states) {
    auto& t = by_category[s.cue->cue.category];
    t.cues++;
    if (!s.fresh) {
      stale++;
      t.stale++;
    }
    // Every absent take is a generation (a paid call for an API engine),
    // unless the team cache holds it.
    for (const std::string& key : s.missing_keys) {
      if (!counted.insert(key).second) continue;
      if (on_remote.count(key)) {
        from_remote++;
        continue;
      }
      generations++;
      t.generations++;
      t.seconds += s.cue->cue.duration.value_or(0.0);
      const GenRequest& req = ctx.plan.generations.at(key);
      const engines::EngineRow& row = engines::engine_row(req.engine);
      if (row.credit_estimate) {
        double c = row.credit_estimate(req.key_fields, req.settings);
        credits += c;
        t.credits += c;
      }
    }
  }
  if (quiet) return stale > 0 ? 1 : 0;

  if (json_out) {
    nlohmann::json out = {{"cues", nlohmann::json::array()}};
    for (const auto& s : states) {
      nlohmann::json j = {{"cue", s.cue->cue.qualified_id()},
                          {"category", s.cue->cue.category},
                          {"type", s.cue->cue.type},
                          {"fresh", s.fresh},
                          {"reason", s.reason},
                          {"needs_generation", s.needs_generation},
                          {"gen_key", s.cue->gen_key},
                          {"render_key", s.cue->render_key},
                          {"output", s.cue->render.output_path.string()}};
      if (!s.engine.empty()) j["engine"] = s.engine, j["profile"] = s.profile;
      if (s.credits) j["estimated_credits"] = *s.credits;
      if (s.needs_generation) j["on_team_cache"] = all_on_remote(s, on_remote);
      nlohmann::json changed = nlohmann::json::array();
      for (const auto& c : s.changes) changed.push_back(c.name);
      j["changed_fields"] = changed;
      if (!s.cue->take_keys.empty()) {
        TakeListing listing = list_takes(ctx.plan, *s.cue, *ctx.index);
        j["takes"] = takes_json(listing);
        j["ranking"] = listing.ranking_state;
        j["missing_takes"] = s.missing_keys.size();
        j["picked_take"] = s.cue->pick && s.cue->stale_pick.empty() ? nlohmann::json(s.cue->rendered_take)
                                                                     : nlohmann::json();
        j["stale_pick"] = s.cue->stale_pick.empty() ? nlohmann::json() : nlohmann::json(s.cue->stale_pick);
      }
      // The last render's measurements (loudness, true peak, LRA, padding).
      j["delivered"] = delivered_measurements(s.cue->render.output_path);
      out["cues"].push_back(j);
    }
    out["farm_running"] = farm_running(ctx.plan.project.config.root);
    nlohmann::json dead = nlohmann::json::array();
    for (const auto& p : plan::dead_outputs(ctx.plan)) dead.push_back(p.string());
    out["would_remove"] = dead;
    out["totals"] = {{"cues", states.size()},   {"stale", stale},
                     {"fresh", states.size() - stale}, {"generations", generations},
                     {"from_team_cache", from_remote},
                     {"estimated_credits", credits}};
    for (const auto& [cat, t] : by_category)
      out["categories"][cat] = {{"cues", t.cues},           {"stale", t.stale},
                                {"generations", t.generations}, {"seconds", t.seconds},
                                {"estimated_credits", t.credits}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  for (const auto& s : states) {
    std::printf("%-32s %-6s %-34s %-12s %s\n", s.cue->cue.qualified_id().c_str(), s.fresh ? "fresh" : "stale",
                s.fresh ? "" : s.reason.c_str(), s.profile.c_str(), s.fresh ? "" : cost_text(s, on_remote).c_str());
    const std::string padded = padding_note(delivered_measurements(s.cue->render.output_path));
    if (!padded.empty()) std::printf("  %s: %s\n", s.cue->cue.qualified_id().c_str(), padded.c_str());
  }
  std::printf("\n%zu cue(s): %zu fresh, %d stale; %d generation(s) to run, estimated %.0f credits", states.size(),
              states.size() - stale, stale, generations, credits);
  if (ctx.remote) std::printf("; %d more on the team cache", from_remote);
  std::printf("\n");
  for (const auto& [cat, t] : by_category)
    std::printf("  %-10s %3d cue(s), %3d stale, %3d new generation(s), %6.1f s, ~%.0f credits\n", cat.c_str(), t.cues,
                t.stale, t.generations, t.seconds, t.credits);
  for (const auto& p : plan::dead_outputs(ctx.plan))
    std::printf("would remove %s: no cue produces it any more (foley build removes it)\n", p.string().c_str());
  std::map<std::string, std::string> unavailable;  // profile -> why
  for (const auto& c : ctx.plan.cues)
    if (!c.unavailable.empty()) unavailable[c.cue.engine] = c.unavailable;
  for (const auto& [profile, why] : unavailable) std::printf("profile `%s` cannot run here: %s\n", profile.c_str(), why.c_str());
  for (const auto& c : ctx.plan.cues)
    if (!c.stale_pick.empty()) std::printf("%s\n", c.stale_pick.c_str());
  const long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  std::fputs(farm_running_text(farm_running(ctx.plan.project.config.root), now_ms).c_str(), stdout);
  return 0;
}

}  // namespace

void register_status(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("status", "Show which cues are fresh or stale, why, and what a build will cost");
  auto json_out = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json_out, "Machine-readable output");
  cmd->add_flag("-q,--quiet", *quiet, "Print nothing; exit 1 when anything is stale (for CI)");
  cmd->callback([&g, json_out, quiet, &exit_code] { exit_code = run_status(g.root(), *json_out, *quiet); });
}

}  // namespace foley::cli
