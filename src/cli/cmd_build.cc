#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/api_prefetch.h"
#include "cli/build_display.h"
#include "cli/commands.h"
#include "request/retry_unusable.h"
#include "cli/cue_state.h"
#include "cli/project_context.h"
#include "common/error.h"
#include "common/log.h"
#include "common/subprocess.h"
#include "engines/catalog.h"
#include "plan/farm.h"
#include "plan/gen_fields.h"
#include "cli/team_cache_use.h"
#include "plan/output_record.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

struct BuildOptions {
  int jobs = 0;
  int keep_going = 1;
  bool dry_run = false;
  bool verbose = false;
  bool retry_unusable = false;
  bool all_takes = false;
  bool quiet = false;
  std::vector<std::string> targets;
};

// A cue id (or "manifest:cue") names its output file; anything else is passed
// to ninja as is (manifest names, `all`, paths).
std::string ninja_target(const plan::Plan& plan, const std::string& target) {
  if (const auto* c = plan.find_cue(target))
    return c->render.output_path.lexically_relative(plan.project.config.root).generic_string();
  return target;
}

// ninja's own default (cores + 2) plus every API pool's depth: API requests
// wait on the network, not on a core, so they must not take the slots that
// local renders and exec engines need — nor be capped by them.
int default_jobs(const plan::Plan& plan, const std::optional<plan::Farm>& farm) {
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) + 2;
  for (const auto& [name, profile] : plan.project.config.engines) {
    if (!engines::engine_row(profile.engine).via_server) continue;
    jobs += plan::profile_pool(profile).depth;
  }
  // A farm's edges wait on job steps on other hosts, not on a core here.
  if (farm) jobs += farm->slots;
  return jobs;
}

// ninja on PATH, or a clear error saying how to get it.
void require_ninja() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (::access((dir / "ninja").c_str(), X_OK) == 0) return;
    start = end + 1;
  }
  throw Error::failure("ninja is not on PATH: install it (Debian/Ubuntu: apt install ninja-build; or tools/install-deps.sh)");
}

// One error per profile this machine cannot run, naming its cues.
void report_unavailable(const plan::Plan& plan) {
  std::map<std::string, std::vector<std::string>> cues;  // profile -> cues
  std::map<std::string, std::string> why;
  for (const auto& c : plan.cues) {
    if (c.unavailable.empty()) continue;
    cues[c.cue.engine].push_back(c.cue.qualified_id());
    why[c.cue.engine] = c.unavailable;
  }
  for (const auto& [profile, ids] : cues) {
    std::string list;
    for (size_t i = 0; i < ids.size() && i < 5; ++i) list += (i ? ", " : "") + ids[i];
    if (ids.size() > 5) list += ", … (" + std::to_string(ids.size()) + " in all)";
    std::fprintf(stderr, "foley: error: %zu cue(s) of profile `%s` not built (%s): %s\n", ids.size(),
                 profile.c_str(), list.c_str(), why[profile].c_str());
  }
}

int run_build(const fs::path& dir, const BuildOptions& o) {
  require_ninja();
  ProjectContext ctx = plan_and_write(dir, /*quiet=*/true);
  auto& index = *ctx.index;
  const bool dry_run = o.dry_run;
  int64_t build_id = dry_run ? 0 : index.begin_build();

  // A hit is a generation this build needs and finds already made: an object
  // present for a cue that is not fresh (it renders again). Objects of fresh
  // cues are not used by the build, so they count nothing.
  std::vector<const plan::PlannedCue*> stale;
  std::set<std::string> hit_keys;
  for (const auto& c : ctx.plan.cues) {
    CueState state = cue_state(ctx.plan, c, index);
    if (state.fresh) continue;
    stale.push_back(&c);
    std::error_code ec;
    for (const std::string& key : c.take_keys)
      if (fs::exists(ctx.plan.generations.at(key).object_path, ec)) hit_keys.insert(key);
  }
  if (!dry_run)
    for (const auto& key : hit_keys) index.record_hit(key, build_id);
  // What the team cache holds is fetched now, all at once, so that ninja finds
  // it present; what this build generates is uploaded after ninja. A build of
  // named targets leaves both to its generate edges (only they know which
  // objects the targets need).
  std::unique_ptr<cache::remote::RemoteCache> remote;
  std::vector<const GenRequest*> generated_here;
  // Each build (and each of its edges) decides afresh whether the remote is
  // up: the marks of builds that are over go.
  if (!dry_run && ctx.remote)
    remove_stale_off_marks(ctx.plan.project.config.cache_dir, index, build_id, /*build_ends=*/false);
  if (!dry_run && ctx.remote && o.targets.empty()) {
    remote = open_team_cache(*ctx.remote, ctx.plan.project.config.cache_dir, build_id);
    std::vector<const GenRequest*> absent = absent_generations(ctx.plan, stale);
    if (remote) {
      std::set<std::string> fetched = fetch_for_build(absent, *remote, index, build_id);
      for (const GenRequest* req : absent)
        if (fetched.count(req->gen_key) == 0) generated_here.push_back(req);
      ::setenv(kRemoteByBuildVariable, std::to_string(build_id).c_str(), 1);
    }
  }

  // Renders no cue produces any more (a cue removed or renamed, a format
  // changed) go before ninja runs: out/ holds exactly what the manifests say.
  if (dry_run) {
    for (const fs::path& p : plan::dead_outputs(ctx.plan))
      std::printf("foley: would remove %s (no cue produces it any more)\n", p.string().c_str());
  } else {
    for (const fs::path& p : plan::remove_dead_outputs(ctx.plan))
      std::printf("foley: removed %s (no cue produces it any more)\n", p.string().c_str());
  }
  std::fflush(stdout);

  std::vector<std::string> argv = {"ninja", "-C", ctx.plan.project.config.root.string()};
  const std::optional<plan::Farm> farm = plan::resolve_farm(ctx.plan.project.config);
  if (farm && !farm->warning.empty()) log_warning("farm: " + farm->warning);
  argv.insert(argv.end(), {"-j", std::to_string(o.jobs > 0 ? o.jobs : default_jobs(ctx.plan, farm))});
  if (o.keep_going != 1) argv.insert(argv.end(), {"-k", std::to_string(o.keep_going)});
  if (dry_run) argv.push_back("-n");
  if (o.verbose) argv.push_back("-v");
  if (o.quiet) argv.push_back("--quiet");
  for (const auto& t : o.targets) argv.push_back(ninja_target(ctx.plan, t));
  // Cues this machine cannot generate (a model folder is absent) fail alone:
  // the rest is built, and the exit code says something was not.
  const size_t unavailable = ctx.plan.unavailable_cues();
  if (o.targets.empty() && unavailable > 0) argv.push_back("available");
  else if (o.targets.empty() && o.all_takes) argv.push_back("all");
  if (o.all_takes) argv.push_back(plan::kAllTakesTarget);
  // foley-gen attributes what it generates to this build.
  ::setenv("FOLEY_BUILD_ID", std::to_string(build_id).c_str(), 1);
  // Keys whose paid answer came back unusable are requested again only when
  // asked; foley-gen, its client and the server read this.
  if (o.retry_unusable) ::setenv(kRetryUnusableVariable, "1", 1);
  // A full build hands its stale API calls to the resident server first; the
  // connections stay open while ninja runs (closing them cancels what is left).
  // Both report to the build's progress socket: ninja's edges, and the
  // server's calls (told of it by the prefetch's message).
  ProgressReceiver progress;
  ::setenv(kProgressSocketVariable, progress.path().c_str(), 1);
  std::vector<ipc::UniqueFd> prefetch;
  if (o.targets.empty() && !dry_run) prefetch = start_api_prefetch(ctx.plan, locate_tools(), build_id);
  SubprocessResult r;
  DisplayOptions display = display_options_for_stdout(o.quiet);
  display.dry_run = dry_run;
  r.exit_code = run_ninja_displayed(argv, ctx.plan, display, progress);
  ::unsetenv(kProgressSocketVariable);
  prefetch.clear();
  if (remote) upload_for_build(generated_here, *remote, index);
  if (!dry_run && ctx.remote)
    remove_stale_off_marks(ctx.plan.project.config.cache_dir, index, build_id, /*build_ends=*/true);
  if (o.targets.empty() && unavailable > 0) {
    report_unavailable(ctx.plan);
    if (r.exit_code == 0) r.exit_code = 1;
  }
  if (dry_run) return r.exit_code;
  // ninja found these cues' outputs up to date without rendering them (the
  // index lost their record: a deleted cache, a copied project): record them
  // now, so that `foley status` agrees with the build it just watched.
  if (r.exit_code == 0 && o.targets.empty())
    for (const plan::PlannedCue* c : stale) {
      if (!c->unavailable.empty() || !c->stale_pick.empty()) continue;
      std::optional<cache::CueBuild> last = index.last_cue_build(ctx.plan.project.config.history(), c->cue.qualified_id());
      if (last && last->render_key == c->render_key) continue;
      std::error_code ec;
      if (!fs::exists(c->render.output_path, ec)) continue;
      bool takes_there = true;
      for (const std::string& key : c->take_keys)
        takes_there = takes_there && fs::exists(ctx.plan.generations.at(key).object_path, ec);
      if (!takes_there) continue;
      cache::CueBuild b;
      b.cue = c->cue.qualified_id();
      b.project = ctx.plan.project.config.history();
      b.gen_key = c->render.gen_key.empty() ? c->gen_key : c->render.gen_key;
      b.render_key = c->render_key;
      b.fields = c->fields;
      b.build_id = build_id;
      index.record_cue_build(b);
    }
  cache::BuildStats extra;
  extra.exit_code = r.exit_code;
  index.finish_build(build_id, extra);
  return r.exit_code;
}

}  // namespace

void register_build(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("build", "Plan, then run ninja (its exit code passes through)");
  auto o = std::make_shared<BuildOptions>();
  cmd->add_option("-j", o->jobs, "Run N jobs in parallel (default: cores + 2, plus the depth of every API pool)");
  cmd->add_option("-k", o->keep_going, "Keep going until N jobs fail (0 = never stop)");
  cmd->add_flag("-n,--dry-run", o->dry_run, "Plan, then show what ninja would run; generate, pay and record nothing");
  cmd->add_flag("-v,--verbose", o->verbose, "Show every command ninja runs");
  cmd->add_flag("-q,--quiet", o->quiet, "Show only what failed: no progress, no line per finished edge");
  cmd->add_flag("--retry-unusable", o->retry_unusable,
                "Request again generations whose earlier paid answer was unusable (kept in cache/quarantine/unusable)");
  cmd->add_flag("--all-takes", o->all_takes,
                "Also render every take of every cue with takes > 1, as out/<manifest>/<cue>.<n>.<format>");
  cmd->add_option("targets", o->targets, "Cue ids, manifest names or output paths (default: all)");
  cmd->callback([&g, o, &exit_code] { exit_code = run_build(g.root(), *o); });
}

}  // namespace foley::cli
