#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/project_context.h"

namespace foley::cli {

void register_plan(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("plan", "Parse the manifests, compute keys, write build.ninja and request specs");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("-q,--quiet", *quiet, "Print nothing on success");
  cmd->callback([&g, quiet, &exit_code] {
    plan_and_write(g.dir, *quiet);
    exit_code = 0;
  });
}

}  // namespace foley::cli
