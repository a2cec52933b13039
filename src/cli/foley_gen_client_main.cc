// foley-gen-client: what ninja runs for the generate edges of ElevenLabs
// profiles (cli/gen_client.h). It links only the common module and the
// server's socket code, so a process starts in about a millisecond; the API
// call runs in the resident server.
#include <CLI/CLI.hpp>

#include "cli/farm_edge.h"
#include "cli/gen_client.h"
#include "cli/run_app.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley-gen-client");
  CLI::App app{"foley-gen-client — hands one API generation to the resident server of its cache (else runs foley-gen)"};
  int exit_code = 0;
  std::string object;
  app.add_option("--object", object, "The object to make (<cache>/objects/<xx>/<gen key>.<ext>); its spec is "
                                     "read from .foley/requests")->required();
  bool farm = false;
  std::vector<std::string> launcher;
  app.add_flag("--farm", farm, "A farmed edge: record here, generate behind the launcher given after `--` "
                               "(cli/farm_edge.h)");
  app.add_option("launcher", launcher, "With --farm: the launcher's words (after `--`)");
  app.callback([&] {
    if (!farm && !launcher.empty()) throw CLI::ValidationError("launcher", "only with --farm");
    exit_code = farm ? foley::cli::run_farm_edge(object, launcher) : foley::cli::run_generate_client(object);
  });
  return foley::cli::run_app(app, argc, argv, "foley-gen-client", exit_code);
}
