// `foley cache push` and `foley cache pull`: a team cache seeded from a local
// one, and a local one filled from the team cache (a new machine, offline work).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "cli/team_cache_use.h"
#include "common/error.h"
#include "generate/team_cache.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

const RemoteConfig& require_remote(const ProjectContext& ctx) {
  if (!ctx.remote)
    throw Error("no team cache is configured: set [cache.remote] url in foley.toml, in " +
                std::string("the user's config file, or FOLEY_REMOTE_URL"));
  return *ctx.remote;
}

struct PushArgs {
  bool paid_only = false;
  std::vector<std::string> names;
};

int cache_push(const fs::path& dir, const PushArgs& args) {
  ProjectContext ctx = load_and_plan(dir);
  const RemoteConfig& config = require_remote(ctx);
  if (config.read_only()) throw Error("the team cache " + config.url + " is read-only here: nothing can be pushed");
  const fs::path cache_dir = ctx.plan.project.config.cache_dir;
  // The objects to push: those of the named cues (or gen keys), else every object of the cache.
  std::vector<cache::ObjectRecord> records;
  if (args.names.empty()) {
    records = ctx.index->list_objects();
  } else {
    for (const std::string& name : args.names) {
      std::string key = name;
      if (const plan::PlannedCue* cue = ctx.plan.find_cue(name)) {
        if (cue->gen_key.empty()) throw Error("cue \"" + name + "\" is a " + cue->cue.type + " cue: it has no object");
        key = cue->gen_key;
      }
      std::optional<cache::ObjectRecord> rec = ctx.index->find_object(key);
      if (!rec)
        throw Error("\"" + name + "\" is neither a cue of this project with a cached object nor a cached gen key" +
                    ctx.plan.cue_suggestion(name));
      records.push_back(*rec);
    }
  }
  std::vector<GenRequest> requests;
  for (const cache::ObjectRecord& rec : records) {
    if (args.paid_only && !rec.paid) continue;
    GenRequest req;
    req.gen_key = rec.gen_key;
    req.ext = rec.ext;
    req.cache_dir = cache_dir;
    req.object_path = cache_object_path(cache_dir, rec.gen_key, rec.ext);
    requests.push_back(std::move(req));
  }
  std::vector<const GenRequest*> pointers;
  for (const GenRequest& r : requests) pointers.push_back(&r);
  auto remote = open_team_cache(config, cache_dir, 0);
  generate::TeamCacheBatch batch = generate::upload_all_to_team_cache(pointers, *remote, *ctx.index);
  std::printf("pushed %zu of %zu object(s) to %s (%zu already there or not sent)\n", batch.keys.size(),
              pointers.size(), config.url.c_str(), pointers.size() - batch.keys.size());
  return remote->disabled() ? 1 : 0;
}

int cache_pull(const fs::path& dir) {
  ProjectContext ctx = load_and_plan(dir);
  const RemoteConfig& config = require_remote(ctx);
  std::vector<const plan::PlannedCue*> cues;
  for (const plan::PlannedCue& c : ctx.plan.cues) cues.push_back(&c);
  std::vector<const GenRequest*> absent = absent_generations(ctx.plan, cues);
  auto remote = open_team_cache(config, ctx.plan.project.config.cache_dir, 0);
  generate::TeamCacheBatch batch = generate::fetch_all_from_team_cache(absent, *remote, *ctx.index, 0);
  std::printf("pulled %zu of %zu missing object(s) from %s (%.0f credits saved)\n", batch.keys.size(),
              absent.size(), config.url.c_str(), batch.credits);
  return remote->disabled() ? 1 : 0;
}

}  // namespace

void register_cache_remote(CLI::App& cache, GlobalOptions& g, int& exit_code) {
  auto push_args = std::make_shared<PushArgs>();
  auto* push = cache.add_subcommand("push", "Upload local objects to the team cache (never replacing an entry)");
  push->add_flag("--paid-only", push_args->paid_only, "Only objects that were paid for");
  push->add_option("cues", push_args->names, "Cue ids or gen keys (default: every object of the cache)");
  push->callback([&g, push_args, &exit_code] { exit_code = cache_push(g.root(), *push_args); });
  cache.add_subcommand("pull", "Fetch from the team cache every object the current manifests need")
      ->callback([&g, &exit_code] { exit_code = cache_pull(g.root()); });
}

}  // namespace foley::cli
