#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "cli/cue_state.h"
#include "cli/project_context.h"
#include "cli/take_list.h"
#include "common/error.h"

namespace foley::cli {
namespace {

int run_explain(const std::filesystem::path& dir, const std::string& name) {
  ProjectContext ctx = load_and_plan(dir);
  const plan::PlannedCue* cue = ctx.plan.find_cue(name);
  if (cue == nullptr) throw Error("no cue named \"" + name + "\" in this project" + ctx.plan.cue_suggestion(name));
  CueState s = cue_state(ctx.plan, *cue, *ctx.index);
  std::printf("cue %s (%s)\n", cue->cue.qualified_id().c_str(), cue->cue.where.str().c_str());
  if (!cue->gen_key.empty()) std::printf("  gen key    %s\n", cue->gen_key.c_str());
  std::printf("  render key %s\n", cue->render_key.c_str());
  std::vector<std::string> ignored = plan::ignored_fields_of(ctx.plan, *cue);
  if (!ignored.empty()) {
    std::string list;
    for (const std::string& f : ignored) list += (list.empty() ? "" : ", ") + f;
    std::printf("  not used by %s (%s): %s (no part of the generation)\n", cue->cue.engine.c_str(),
                ctx.plan.project.config.engines.at(cue->cue.engine).engine.c_str(), list.c_str());
  }
  if (cue->take_keys.size() > 1) {
    TakeListing listing = list_takes(ctx.plan, *cue, *ctx.index);
    std::printf("  takes      %zu, %s\n", listing.rows.size(), listing.ranking_state.c_str());
    for (const TakeRow& r : listing.rows)
      std::printf("    take %-3d %s%s%s%s\n", r.index, r.gen_key.c_str(), r.present ? "" : " (not generated)",
                  r.score ? (" score " + std::to_string(*r.score)).c_str() : "",
                  r.picked ? " (picked)" : (r.rendered ? " (rendered)" : ""));
  }
  if (cue->pick && cue->stale_pick.empty())
    std::printf("  pick       take %d, locked in foley.lock\n", cue->pick->take);
  if (!cue->stale_pick.empty()) std::printf("  %s\n", cue->stale_pick.c_str());
  if (s.fresh) {
    std::printf("  fresh: built from exactly these inputs; a build does nothing for it\n");
    return 0;
  }
  auto last = ctx.index->last_cue_build(ctx.plan.project.config.history(), cue->cue.qualified_id());
  if (!last) {
    std::printf("  stale: never built%s\n", s.needs_generation ? " (its object is not in the cache)" : "");
  } else {
    std::printf("  stale: %s\n", s.reason.c_str());
    for (const auto& c : s.changes)
      std::printf("    %-22s %s -> %s\n", c.name.c_str(), plan::display_value(c.before).c_str(),
                  plan::display_value(c.after).c_str());
    if (!last->gen_key.empty() && last->gen_key != cue->gen_key) std::printf("  generation inputs changed\n");
    else if (!cue->gen_key.empty()) std::printf("  generation inputs unchanged: only the render runs\n");
  }
  if (s.needs_generation && cue->take_keys.size() > 1)
    std::printf("  will generate %zu take(s) with %s (%s)%s\n", s.missing_keys.size(), s.profile.c_str(), s.engine.c_str(),
                s.credits ? (", ~" + std::to_string(static_cast<long>(*s.credits)) + " credits").c_str() : "");
  else if (s.needs_generation)
    std::printf("  will generate with %s (%s)%s\n", s.profile.c_str(), s.engine.c_str(),
                s.credits ? (", ~" + std::to_string(static_cast<long>(*s.credits)) + " credits").c_str() : "");
  return 0;
}

}  // namespace

void register_explain(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("explain", "Field-by-field difference between a cue's last build and now");
  auto name = std::make_shared<std::string>();
  cmd->add_option("cue", *name, "Cue id or manifest:cue")->required();
  cmd->callback([&g, name, &exit_code] { exit_code = run_explain(g.root(), *name); });
}

}  // namespace foley::cli
