#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include "cli/api_prefetch.h"
#include "cli/commands.h"
#include "cli/project_context.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "engines/catalog.h"
#include "plan/gen_fields.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

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
int default_jobs(const plan::Plan& plan) {
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) + 2;
  for (const auto& [name, profile] : plan.project.config.engines) {
    if (!engines::engine_row(profile.engine).via_server) continue;
    jobs += plan::profile_pool(profile).depth;
  }
  return jobs;
}

int run_build(const fs::path& dir, int jobs, int keep_going, const std::vector<std::string>& targets) {
  ProjectContext ctx = plan_and_write(dir, /*quiet=*/true);
  auto& index = *ctx.index;
  int64_t build_id = index.begin_build();

  // Every generation whose object is already there is a hit: ninja will not
  // run it, and it costs nothing.
  for (const auto& [key, req] : ctx.plan.generations) {
    std::error_code ec;
    if (fs::exists(req.object_path, ec)) index.record_hit(key, build_id);
  }

  std::vector<std::string> argv = {"ninja", "-C", ctx.plan.project.config.root.string()};
  argv.insert(argv.end(), {"-j", std::to_string(jobs > 0 ? jobs : default_jobs(ctx.plan))});
  if (keep_going != 1) argv.insert(argv.end(), {"-k", std::to_string(keep_going)});
  for (const auto& t : targets) argv.push_back(ninja_target(ctx.plan, t));
  // foley-gen attributes what it generates to this build.
  ::setenv("FOLEY_BUILD_ID", std::to_string(build_id).c_str(), 1);
  // A full build hands its stale API calls to the resident server first; the
  // connections stay open while ninja runs (closing them cancels what is left).
  std::vector<ipc::UniqueFd> prefetch;
  if (targets.empty()) prefetch = start_api_prefetch(ctx.plan, locate_tools(), build_id);
  SubprocessResult r = run_subprocess(argv, /*capture=*/false);
  prefetch.clear();
  cache::BuildStats extra;
  extra.exit_code = r.exit_code;
  index.finish_build(build_id, extra);
  return r.exit_code;
}

}  // namespace

void register_build(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("build", "Plan, then run ninja (its exit code passes through)");
  struct Opts {
    int jobs = 0;
    int keep_going = 1;
    std::vector<std::string> targets;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-j", o->jobs, "Run N jobs in parallel (default: cores + 2, plus the depth of every API pool)");
  cmd->add_option("-k", o->keep_going, "Keep going until N jobs fail (0 = never stop)");
  cmd->add_option("targets", o->targets, "Cue ids, manifest names or output paths (default: all)");
  cmd->callback([&g, o, &exit_code] { exit_code = run_build(g.dir, o->jobs, o->keep_going, o->targets); });
}

}  // namespace foley::cli
