#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/cue_state.h"
#include "cli/project_context.h"
#include "plan/output_record.h"

namespace foley::cli {
namespace {

struct CategoryTotals {
  int cues = 0, stale = 0, generations = 0;
  double seconds = 0.0, credits = 0.0;
};

std::string cost_text(const CueState& s) {
  if (!s.cue->unavailable.empty()) return "unavailable";
  if (!s.needs_generation) return s.cue->cue.type == "generated" ? "cached" : "free";
  if (s.credits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "~%.0f credits", *s.credits);
    return buf;
  }
  return "local (free)";
}

int run_status(const std::filesystem::path& dir, bool json_out, bool quiet) {
  ProjectContext ctx = load_and_plan(dir);
  std::vector<CueState> states;
  for (const auto& c : ctx.plan.cues) states.push_back(cue_state(ctx.plan, c, *ctx.index));

  // Totals count each generation once, however many cues share it.
  std::set<std::string> counted;
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
    if (s.needs_generation && counted.insert(s.cue->gen_key).second) {
      generations++;
      t.generations++;
      t.seconds += s.cue->cue.duration.value_or(0.0);
      if (s.credits) {
        credits += *s.credits;
        t.credits += *s.credits;
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
      nlohmann::json changed = nlohmann::json::array();
      for (const auto& c : s.changes) changed.push_back(c.name);
      j["changed_fields"] = changed;
      // The last render's measurements (loudness, true peak, LRA, padding).
      j["delivered"] = delivered_measurements(s.cue->render.output_path);
      out["cues"].push_back(j);
    }
    nlohmann::json dead = nlohmann::json::array();
    for (const auto& p : plan::dead_outputs(ctx.plan)) dead.push_back(p.string());
    out["would_remove"] = dead;
    out["totals"] = {{"cues", states.size()},   {"stale", stale},
                     {"fresh", states.size() - stale}, {"generations", generations},
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
                s.fresh ? "" : s.reason.c_str(), s.profile.c_str(), s.fresh ? "" : cost_text(s).c_str());
    const std::string padded = padding_note(delivered_measurements(s.cue->render.output_path));
    if (!padded.empty()) std::printf("  %s: %s\n", s.cue->cue.qualified_id().c_str(), padded.c_str());
  }
  std::printf("\n%zu cue(s): %zu fresh, %d stale; %d generation(s) to run, estimated %.0f credits\n",
              states.size(), states.size() - stale, stale, generations, credits);
  for (const auto& [cat, t] : by_category)
    std::printf("  %-10s %3d cue(s), %3d stale, %3d new generation(s), %6.1f s, ~%.0f credits\n", cat.c_str(), t.cues,
                t.stale, t.generations, t.seconds, t.credits);
  for (const auto& p : plan::dead_outputs(ctx.plan))
    std::printf("would remove %s: no cue produces it any more (foley build removes it)\n", p.string().c_str());
  std::map<std::string, std::string> unavailable;  // profile -> why
  for (const auto& c : ctx.plan.cues)
    if (!c.unavailable.empty()) unavailable[c.cue.engine] = c.unavailable;
  for (const auto& [profile, why] : unavailable) std::printf("profile `%s` cannot run here: %s\n", profile.c_str(), why.c_str());
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
