// foley-gen: the generator binary ninja runs, one request spec per call.
#include <CLI/CLI.hpp>


#include "server/resident_server.h"
#include "cli/farm_listen_option.h"
#include "cli/gen_generate.h"
#include "cli/gen_model_tools.h"
#include "cli/gen_rank.h"
#include "cli/gen_render.h"
#include "cli/run_app.h"
#include "common/log.h"

int main(int argc, char** argv) {
  foley::set_program_name("foley-gen");
  CLI::App app{"foley-gen — generates and renders one cue from a request spec written by `foley plan`"};
  app.require_subcommand(1);
  int exit_code = 0;
  std::string spec, entry, object;

  auto* generate = app.add_subcommand("generate", "Make sure the raw object of a request spec is in the cache");
  auto* spec_opt = generate->add_option(
      "spec", spec, "A spec pack (.foley/requests/<xx>.specs), its directory, or a standalone JSON spec");
  generate->add_option("entry", entry, "The entry in the pack: a gen key");
  auto* object_opt = generate->add_option(
      "--object", object, "What ninja passes: the object to make (<cache>/objects/<xx>/<gen key>.<ext>); "
                          "its spec is read from .foley/requests");
  object_opt->excludes(spec_opt);
  bool farm_node = false;
  generate->add_flag("--farm-node", farm_node,
                     "Run as a farm's job step: never open the index; leave a pending record for the submit host")
      ->needs(object_opt);
  generate->callback([&] {
    if (object_opt->count() == 0 && spec_opt->count() == 0)
      throw CLI::RequiredError("a spec or --object");
    exit_code = object_opt->count() ? foley::cli::run_generate_object(object, farm_node) : foley::cli::run_generate(spec, entry);
  });

  auto* render = app.add_subcommand("render", "Render one cue's delivered file from its render spec");
  render->add_option("spec", spec, "A spec pack (.foley/renders/<xx>.specs), its directory, or a standalone JSON spec")
      ->required();
  render->add_option("entry", entry, "The entry in the pack: <render key>:<manifest>:<cue>");
  render->callback([&] { exit_code = foley::cli::run_render(spec, entry); });

  std::string ranking;
  auto* rank = app.add_subcommand("rank", "Rank the takes of one cue with CLAP (what a rank edge runs)");
  rank->add_option("--ranking", ranking, "The ranking to write: .foley/ranks/<rank key>.json; its spec is read "
                                         "from .foley/rankings")->required();
  rank->callback([&] { exit_code = foley::cli::run_rank(ranking); });

  foley::cli::DumpOptions dump_opts;
  std::string negative;
  auto* dump = app.add_subcommand("dump", "Write every pipeline stage's tensors for a model folder (safetensors)");
  dump->add_option("--model", dump_opts.model, "Model folder in the diffusers layout")->required();
  dump->add_option("--prompt", dump_opts.prompt, "Prompt text")->required();
  auto* neg = dump->add_option("--negative-prompt", negative, "Negative prompt (unconditional branch)");
  dump->add_option("--out", dump_opts.out, "Output .safetensors file")->required();
  double dump_duration = 0;
  std::vector<CLI::Option*> gen_opts = {
      dump->add_option("--seed", dump_opts.seed, "Seed of the initial noise (torch CPU generator)"),
      dump->add_option("--steps", dump_opts.steps, "Denoising steps (default 200)"),
      dump->add_option("--guidance", dump_opts.guidance, "Classifier-free guidance scale (default 3.5)"),
      dump->add_option("--scheduler", dump_opts.scheduler, "ddim or dpmsolver++")
          ->check(CLI::IsMember({"ddim", "dpmsolver++"})),
      dump->add_option("--duration", dump_duration, "Audio length in seconds"),
      dump->add_option("--latents", dump_opts.latents, "Initial latents (safetensors) instead of seeded noise")};
  dump->callback([&] {
    if (neg->count() > 0) dump_opts.negative_prompt = negative;
    for (auto* opt : gen_opts) dump_opts.generate = dump_opts.generate || opt->count() > 0;
    if (gen_opts[4]->count() > 0) dump_opts.duration = dump_duration;
    exit_code = foley::cli::run_dump(dump_opts);
  });

  std::string info_model;
  auto* info = app.add_subcommand("info", "Describe a model folder: components, parameters, dtypes, memory");
  info->add_option("--model", info_model, "Model folder in the diffusers layout")->required();
  info->callback([&] { exit_code = foley::cli::run_info(info_model); });

  std::string serve_cache;
  double serve_idle = 600.0;
  auto* serve = app.add_subcommand("serve", "Run the resident server of a cache directory: it keeps models loaded and makes API calls (started on demand)");
  serve->add_option("--cache", serve_cache, "Cache directory")->required();
  serve->add_option("--idle-timeout", serve_idle, "Exit after this many seconds without a request");
  std::string serve_tcp;
  serve->add_option("--tcp", serve_tcp,
                    "Serve a farm (`foley farm up` starts it): listen on TCP HOST:PORT (port 0: any), every "
                    "connection proving it knows <cache>/farm/secret; registered in <cache>/farm/servers");
  serve->callback([&] {
    std::optional<foley::server::FarmListen> farm;
    if (!serve_tcp.empty()) farm = foley::cli::parse_farm_listen(serve_tcp);
    exit_code = foley::server::run_model_server(serve_cache, serve_idle, farm);
  });

  return foley::cli::run_app(app, argc, argv, "foley-gen", exit_code);
}
