// foley: plans a project of sound cues into build.ninja, builds it, and
// explains the cache. Errors are caught once here (DESIGN §5).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/run_app.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley");
  CLI::App app{"foley — an incremental build system for generated sound assets"};
  app.require_subcommand(1);
  foley::cli::GlobalOptions global;
  // Accepted before or after the subcommand (`foley build -C proj`).
  app.add_option("-C", global.dir, "Run in DIR (like ninja -C); the project is DIR or the nearest folder above it "
                                   "holding foley.toml");
  app.fallthrough();
  int exit_code = 0;
  foley::cli::register_init(app, global, exit_code);
  foley::cli::register_plan(app, global, exit_code);
  foley::cli::register_build(app, global, exit_code);
  foley::cli::register_status(app, global, exit_code);
  foley::cli::register_explain(app, global, exit_code);
  foley::cli::register_cache(app, global, exit_code);
  foley::cli::register_import(app, global, exit_code);
  foley::cli::register_server(app, global, exit_code);
  foley::cli::register_farm(app, global, exit_code);
  foley::cli::register_takes(app, global, exit_code);
  foley::cli::register_report(app, global, exit_code);
  return foley::cli::run_app(app, argc, argv, "foley", exit_code);
}
