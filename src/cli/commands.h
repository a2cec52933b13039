#pragma once

#include <filesystem>
#include <string>

namespace CLI {
class App;
}

namespace foley::cli {

// Options every subcommand shares: `-C DIR` (like ninja) and output flags.
struct GlobalOptions {
  std::filesystem::path dir = ".";
  // The project: `dir` or the nearest folder above it holding foley.toml (git's
  // habit), else `dir` itself.
  std::filesystem::path root() const;
};

// Each subcommand registers itself on the app; the callback runs it and
// records the process exit code in `exit_code`.
void register_init(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_plan(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_build(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_status(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_explain(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_cache(CLI::App& app, GlobalOptions& g, int& exit_code);
// `foley cache push` and `pull`, on the `cache` subcommand.
void register_cache_remote(CLI::App& cache, GlobalOptions& g, int& exit_code);
void register_import(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_server(CLI::App& app, GlobalOptions& g, int& exit_code);
void register_farm(CLI::App& app, GlobalOptions& g, int& exit_code);  // `farm up`, `down`, `status`
void register_takes(CLI::App& app, GlobalOptions& g, int& exit_code);  // `takes` and `pick`
void register_report(CLI::App& app, GlobalOptions& g, int& exit_code);

}  // namespace foley::cli
