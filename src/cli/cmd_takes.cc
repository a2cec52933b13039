// `foley takes CUE` lists a cue's takes; `foley pick CUE N` locks one in foley.lock.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "cli/take_list.h"
#include "common/error.h"
#include "manifest/lock_file.h"

namespace foley::cli {
namespace {

const plan::PlannedCue& generated_cue(const ProjectContext& ctx, const std::string& name) {
  const plan::PlannedCue* cue = ctx.plan.find_cue(name);
  if (cue == nullptr) throw Error("no cue named \"" + name + "\" in this project" + ctx.plan.cue_suggestion(name));
  if (!cue->unavailable.empty()) throw Error("cue \"" + name + "\" cannot be generated here: " + cue->unavailable);
  if (cue->take_keys.empty())
    throw Error("cue \"" + name + "\" is a " + cue->cue.type + " cue: it has no takes");
  return *cue;
}

std::string number(const std::optional<double>& v, const char* format) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

int run_takes(const std::filesystem::path& dir, const std::string& name, bool json_out) {
  ProjectContext ctx = load_and_plan(dir);
  const plan::PlannedCue& cue = generated_cue(ctx, name);
  TakeListing listing = list_takes(ctx.plan, cue, *ctx.index);
  if (json_out) {
    nlohmann::json j = {{"cue", cue.cue.qualified_id()}, {"ranking", listing.ranking_state},
                        {"takes", takes_json(listing)}};
    j["stale_pick"] = cue.stale_pick.empty() ? nlohmann::json() : nlohmann::json(cue.stale_pick);
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("cue %s: %zu take(s), %s\n", cue.cue.qualified_id().c_str(), listing.rows.size(),
              listing.ranking_state.c_str());
  std::printf("  %-4s %-9s %-6s %-10s %-11s %-10s %-9s %s\n", "take", "score", "seed", "duration", "engine",
              "credits", "", "object");
  for (const TakeRow& r : listing.rows) {
    std::string mark = r.picked ? "picked" : (r.rendered ? "rendered" : "");
    std::string credits = r.credits ? (r.credits_estimated ? "~" : "") + number(r.credits, "%.0f") : "-";
    std::printf("  %-4d %-9s %-6s %-10s %-11s %-10s %-9s %s\n", r.index, number(r.score, "%.4f").c_str(),
                r.seed.is_null() ? "-" : r.seed.dump().c_str(),
                r.duration ? (number(r.duration, "%.2f") + " s").c_str() : "-", r.engine.c_str(), credits.c_str(),
                mark.c_str(), r.present ? r.object.string().c_str() : "(not generated yet)");
  }
  if (!cue.stale_pick.empty()) std::printf("%s\n", cue.stale_pick.c_str());
  return 0;
}

int run_pick(const std::filesystem::path& dir, const std::string& name, std::optional<int> take) {
  ProjectContext ctx = load_and_plan(dir);
  const plan::PlannedCue& cue = generated_cue(ctx, name);
  const std::filesystem::path& root = ctx.plan.project.config.root;
  std::map<std::string, manifest::TakePick> picks = ctx.plan.project.picks;
  const std::string id = cue.cue.qualified_id();
  if (!take) {
    if (picks.erase(id) == 0) {
      std::printf("%s has no pick in foley.lock\n", id.c_str());
      return 0;
    }
    manifest::write_lock(root, picks);
    plan_and_write(root, /*quiet=*/true);
    std::printf("%s: pick removed from foley.lock; its render follows %s again\n", id.c_str(),
                cue.rank_key.empty() ? "take 0" : "the ranking");
    return 0;
  }
  const int n = static_cast<int>(cue.take_keys.size());
  if (*take < 0 || *take >= n)
    throw Error("cue \"" + id + "\" has " + std::to_string(n) + " take(s) (0 to " + std::to_string(n - 1) +
                "), no take " + std::to_string(*take));
  const GenRequest& req = ctx.plan.generations.at(cue.take_keys[static_cast<size_t>(*take)]);
  std::error_code ec;
  // A pick only re-renders: it never asks for a generation.
  if (!std::filesystem::exists(req.object_path, ec))
    throw Error("take " + std::to_string(*take) + " of \"" + id + "\" is not generated yet: run `foley build` "
                "first, then pick among the takes `foley takes " + id + "` lists");
  picks[id] = manifest::TakePick{*take, req.gen_key, {}};
  manifest::write_lock(root, picks);
  // build.ninja then reads the lock (plain `ninja` re-plans when it changes).
  plan_and_write(root, /*quiet=*/true);
  std::printf("%s: take %d picked (gen key %s) in foley.lock; `foley build` renders it\n", id.c_str(), *take,
              req.gen_key.c_str());
  return 0;
}

}  // namespace

void register_takes(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* takes = app.add_subcommand("takes", "List a cue's takes: score, seed, duration, engine, credits, object");
  auto name = std::make_shared<std::string>();
  auto json_out = std::make_shared<bool>(false);
  takes->add_option("cue", *name, "Cue id or manifest:cue")->required();
  takes->add_flag("--json", *json_out, "Machine-readable output");
  takes->callback([&g, name, json_out, &exit_code] { exit_code = run_takes(g.root(), *name, *json_out); });

  auto* pick = app.add_subcommand("pick", "Lock the take a cue renders in foley.lock (commit it to share the pick)");
  auto pick_name = std::make_shared<std::string>();
  auto take = std::make_shared<int>(-1);
  auto clear = std::make_shared<bool>(false);
  pick->add_option("cue", *pick_name, "Cue id or manifest:cue")->required();
  auto* take_opt = pick->add_option("take", *take, "The take's index (as `foley takes` lists it)");
  auto* clear_opt = pick->add_flag("--clear", *clear, "Remove the cue's pick");
  take_opt->excludes(clear_opt);
  pick->callback([&g, pick_name, take, clear, take_opt, &exit_code] {
    if (!*clear && take_opt->count() == 0) throw CLI::RequiredError("a take index or --clear");
    exit_code = run_pick(g.root(), *pick_name, *clear ? std::nullopt : std::optional<int>(*take));
  });
}

}  // namespace foley::cli
