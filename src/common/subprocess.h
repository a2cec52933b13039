#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace foley {

struct SubprocessResult {
  int exit_code = -1;  // exit status, or 128 + signal when killed by a signal
  std::string output;  // stdout and stderr together, when captured
};

// Runs argv[0] (looked up in PATH) with the given arguments: no shell is
// involved, so arguments need no quoting. When `capture` is true stdout and
// stderr are collected into the result; otherwise they are inherited.
// Throws foley::Error when the program cannot be started.
SubprocessResult run_subprocess(const std::vector<std::string>& argv, bool capture,
                                const std::filesystem::path& cwd = {});

// A started child whose stdout and stderr both go to one pipe, for a caller
// that reads its output while it runs (`foley build` reading ninja).
struct PipedProcess {
  int pid = -1;
  int output_fd = -1;  // the read end; the caller closes it
};
// Starts argv[0] (looked up in PATH). Throws foley::Error when it cannot start.
PipedProcess spawn_piped(const std::vector<std::string>& argv);
// Waits for a child to end: its exit status, or 128 + signal.
int wait_for_exit(int pid);

}  // namespace foley
