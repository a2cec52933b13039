#pragma once

namespace CLI {
class App;
}

namespace foley::cli {

// Parses the command line and runs the chosen subcommand, catching errors once
// (DESIGN §5): usage errors exit 2, foley::Error its own code (2 bad input,
// 1 failure) after "<program>: error: <message>", anything else 1. Returns
// `exit_code` as the subcommand set it on success.
int run_app(CLI::App& app, int argc, char** argv, const char* program, const int& exit_code);

}  // namespace foley::cli
