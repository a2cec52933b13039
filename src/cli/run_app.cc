#include "cli/run_app.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "common/error.h"

namespace foley::cli {

int run_app(CLI::App& app, int argc, char** argv, const char* program, const int& exit_code) {
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
