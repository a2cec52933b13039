#include "cli/project_context.h"

#include <unistd.h>

#include <chrono>
#include <climits>
#include <map>

#include "cache/content_hash.h"
#include "common/error.h"
#include "common/log.h"
#include "common/atomic_file.h"
#include "manifest/project_loader.h"
#include "manifest/remote_table.h"
#include "plan/project_identity.h"

namespace foley::cli {
namespace fs = std::filesystem;

plan::Tools locate_tools() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw Error::failure("cannot locate the foley binary (/proc/self/exe)");
  fs::path self(std::string(buf, static_cast<size_t>(n)));
  plan::Tools tools;
  tools.foley = self.parent_path() / "foley";
  tools.foley_gen = self.parent_path() / "foley-gen";
  std::error_code ec;
  if (fs::exists(self.parent_path() / "foley-render", ec)) tools.foley_render = self.parent_path() / "foley-render";
  if (fs::exists(self.parent_path() / "foley-gen-client", ec))
    tools.foley_gen_client = self.parent_path() / "foley-gen-client";
  return tools;
}

std::string IndexContentHasher::file_hash(const fs::path& path) { return cache::cached_file_hash(index_, path); }

std::string IndexContentHasher::folder_hash(const fs::path& dir) { return cache::cached_folder_hash(index_, dir); }

namespace {

// FOLEY_LOG=verbose prints how long each phase of planning took.
class PhaseTimer {
 public:
  void lap(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    log_verbose(std::string(phase) + ": " +
                std::to_string(std::chrono::duration<double, std::milli>(now - last_).count()) + " ms");
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

ProjectContext load_and_plan(const fs::path& root) {
  PhaseTimer timer;
  manifest::Project project = manifest::load_project(fs::absolute(root).lexically_normal());
  project.config.history_id = plan::project_history_id(project.config.root, project.config.name);
  timer.lap("load manifests");
  ProjectContext ctx;
  ctx.index = std::make_unique<cache::Index>(project.config.cache_dir);
  IndexContentHasher hasher(*ctx.index);
  timer.lap("open index");
  ctx.remote = project.config.remote;
  manifest::apply_user_config(ctx.remote);
  apply_remote_environment(ctx.remote);
  ctx.plan = plan::make_plan(std::move(project), hasher);
  timer.lap("compute keys");
  return ctx;
}

ProjectContext plan_and_write(const fs::path& root, bool quiet) {
  ProjectContext ctx = load_and_plan(root);
  PhaseTimer timer;
  bool changed = plan::write_plan(ctx.plan, locate_tools());
  const fs::path remote_file = ctx.plan.project.config.root / kRemoteConfigFile;
  if (ctx.remote) {
    write_file_if_changed(remote_file, remote_config_to_json(*ctx.remote).dump(1) + "\n", Durability::kDerived);
  } else {
    std::error_code ec;
    fs::remove(remote_file, ec);
  }
  timer.lap("write specs and build.ninja");
  // Said whenever the graph changes (not on every no-op build).
  if (changed) {
    for (const std::string& note : plan::ignored_field_notes(ctx.plan)) log_info("note: " + note);
    std::map<std::string, std::pair<size_t, std::string>> unavailable;  // profile -> cues, why
    for (const auto& c : ctx.plan.cues)
      if (!c.unavailable.empty()) {
        auto& [n, why] = unavailable[c.cue.engine];
        ++n;
        why = c.unavailable;
      }
    for (const auto& [profile, u] : unavailable)
      log_warning("profile `" + profile + "` cannot run here, so its " + std::to_string(u.first) +
                  " cue(s) will fail and the rest will build: " + u.second);
  }
  if (!quiet)
    log_info("planned " + std::to_string(ctx.plan.cues.size()) + " cue(s), " +
             std::to_string(ctx.plan.generations.size()) + " generation(s); build.ninja " +
             (changed ? "written" : "unchanged"));
  return ctx;
}

bool object_present(const plan::PlannedCue& cue) {
  std::error_code ec;
  return cue.cue.type != "generated" || fs::exists(cue.render.input_path, ec);
}

}  // namespace foley::cli
