#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/project_context.h"

namespace foley::cli {

void register_plan(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("plan", "Parse the manifests, compute keys, write build.ninja and request specs");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("-q,--quiet", *quiet, "Print nothing on success");
  cmd->callback([&g, quiet, &exit_code] {
    // The plan of a large project is a forest of small allocations; freeing it
    // just before the process exits costs a fifth of a re-plan. Close the
    // index properly, and let the OS reclaim the rest.
    auto* ctx = new ProjectContext(plan_and_write(g.root(), *quiet));
    ctx->index.reset();
    exit_code = 0;
  });
}

}  // namespace foley::cli
