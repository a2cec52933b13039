#include "cli/run_app.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/error.h"
#include "common/suggest.h"
#include "common/version.h"

namespace foley::cli {

namespace {

// An unknown subcommand ("foley biuld") names the closest one, git's way;
// CLI11 alone says only that a subcommand is required.
std::string unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (names.empty()) return "";
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") return "";
    if (word == "-C") {
      ++i;  // its value
      continue;
    }
    if (word.empty() || word[0] == '-') continue;
    for (const std::string& n : names)
      if (n == word) return "";
    return "unknown command `" + word + "`" + did_you_mean(word, names) + "; commands: " + one_of(names);
  }
  return "";
}

}  // namespace

std::filesystem::path GlobalOptions::root() const {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path start = fs::absolute(dir, ec).lexically_normal();
  if (ec) return dir;
  for (fs::path p = start;; p = p.parent_path()) {
    if (fs::exists(p / "foley.toml", ec)) return p;
    if (p.parent_path() == p) break;
  }
  return dir;  // no project above: the command says what is missing
}

int run_app(CLI::App& app, int argc, char** argv, const char* program, const int& exit_code) {
  app.set_version_flag("--version", std::string(program) + " " + foley_version());
  if (std::string problem = unknown_subcommand(app, argc, argv); !problem.empty()) {
    std::cerr << program << ": error: " << problem << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const Error& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}

}  // namespace foley::cli
