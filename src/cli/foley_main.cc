// foley: plans a project of sound cues into build.ninja, builds it, and
// explains the cache. Errors are caught once here (DESIGN §5).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "common/error.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley");
  CLI::App app{"foley — an incremental build system for generated sound assets"};
  app.require_subcommand(1);
  foley::cli::GlobalOptions global;
  app.add_option("-C", global.dir, "Change to DIR before doing anything (like ninja -C)");
  int exit_code = 0;
  foley::cli::register_init(app, global, exit_code);
  foley::cli::register_plan(app, global, exit_code);
  foley::cli::register_build(app, global, exit_code);
  foley::cli::register_status(app, global, exit_code);
  foley::cli::register_explain(app, global, exit_code);
  foley::cli::register_cache(app, global, exit_code);
  foley::cli::register_import(app, global, exit_code);
  foley::cli::register_server(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const foley::Error& e) {
    std::cerr << "foley: error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "foley: error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
