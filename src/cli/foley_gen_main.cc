// foley-gen: the generator binary ninja runs, one request spec per call.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/gen_generate.h"
#include "cli/gen_render.h"
#include "common/error.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley-gen");
  CLI::App app{"foley-gen — generates and renders one cue from a request spec written by `foley plan`"};
  app.require_subcommand(1);
  int exit_code = 0;
  std::string spec;

  auto* generate = app.add_subcommand("generate", "Make sure the raw object of a request spec is in the cache");
  generate->add_option("spec", spec, ".foley/requests/<gen key>.json")->required();
  generate->callback([&] { exit_code = foley::cli::run_generate(spec); });

  auto* render = app.add_subcommand("render", "Render one cue's delivered file from its render spec");
  render->add_option("spec", spec, ".foley/renders/<cue>.<render key>.json")->required();
  render->callback([&] { exit_code = foley::cli::run_render(spec); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const foley::Error& e) {
    std::cerr << "foley-gen: error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "foley-gen: error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
