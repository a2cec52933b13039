#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cli/finished_cues.h"
#include "common/progress_channel.h"
#include "plan/planner.h"

namespace foley::cli {

struct DisplayOptions {
  bool live = false;   // a terminal: the running cues in a block redrawn in place
  bool color = false;  // bold names, dim times (off with NO_COLOR or off a terminal)
  bool quiet = false;  // -q: only what failed
  bool dry_run = false;  // -n: ninja's line per edge it would run (no cue finishes)
  int width = 80;      // terminal columns: live lines are cut to fit, so redraws never wrap
};

// What `foley build` prints while ninja runs. On a terminal, ninja's
// finished-edge lines pass through with the object in a GEN line replaced by
// the cues it serves ("[3/8] GEN ep1:door (ldm)"), and below them, one line per
// running generation: cue names, engine and profile, its last progress report
// (the denoising step, bytes received) and the time since it started. Off a
// terminal, one line per finished cue (finished_cues.h). Each call returns the
// text to write (tests read it; nothing is printed here).
class BuildDisplay {
 public:
  using Clock = std::chrono::steady_clock;
  BuildDisplay(const plan::Plan& plan, DisplayOptions options);

  std::string ninja_line(const std::string& line, Clock::time_point now);
  std::string progress(const ProgressEvent& event, Clock::time_point now);
  // Redraws the running block (its elapsed times); "" when nothing runs.
  std::string tick(Clock::time_point now);
  // Clears the running block.
  std::string finish();

 private:
  struct Running {
    ProgressEvent last;
    Clock::time_point started;
  };
  std::string erase_block();
  std::string draw_block(Clock::time_point now);
  std::string rewrite(const std::string& line) const;
  std::string fit(const std::string& text) const;

  DisplayOptions options_;
  FinishedCues finished_;  // what a non-terminal gets
  std::map<std::string, std::string> gen_cues_;  // object link path -> "ep1:door, ep1:door2"
  std::vector<std::pair<std::string, Running>> running_;  // by key, in order of start
  int drawn_lines_ = 0;
};

// Runs ninja (`argv`) with its output read through a BuildDisplay, and with
// it what `progress` receives: the generations ninja starts and the calls the
// resident server makes for this build report there (the caller names it in
// FOLEY_PROGRESS_SOCKET, before it hands calls to the server). Returns
// ninja's exit code.
int run_ninja_displayed(const std::vector<std::string>& argv, const plan::Plan& plan, const DisplayOptions& options,
                        ProgressReceiver& progress);

// The display a build gets on this stdout: live on a terminal, coloured unless
// NO_COLOR is set (to anything non-empty), quiet with -q.
DisplayOptions display_options_for_stdout(bool quiet);

}  // namespace foley::cli
