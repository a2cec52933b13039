// foley-render: the render step ninja runs for every cue (`foley-gen render`
// without the engines). It links only the audio, cache and common modules, so
// a process starts in a few milliseconds: no libcurl, oneDNN, OpenBLAS or
// sentencepiece to load for the most frequent edge of a build.
#include <CLI/CLI.hpp>

#include "cli/gen_render.h"
#include "cli/run_app.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley-render");
  CLI::App app{"foley-render — renders one cue's delivered file from a render spec written by `foley plan`"};
  int exit_code = 0;
  std::string spec, entry;
  app.add_option("spec", spec, "A spec pack (.foley/renders/<xx>.specs), its directory, or a standalone JSON spec")
      ->required();
  app.add_option("entry", entry, "The entry in the pack: <render key>:<manifest>:<cue>");
  app.callback([&] { exit_code = foley::cli::run_render(spec, entry); });
  return foley::cli::run_app(app, argc, argv, "foley-render", exit_code);
}
