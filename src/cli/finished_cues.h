#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/progress_channel.h"
#include "plan/planner.h"

namespace foley::cli {

// What `foley build` prints off a terminal (a CI log, a pipe): one line per
// cue once its delivered file is written, instead of one per ninja edge:
//
//   sfx:rain  audioldm2 (local)  generated  2.4s  out/sfx/rain.wav
//
// the cue, its engine and profile (or `silence` / `source`), what happened to
// its sound in this build (`generated`, `cached`, `team cache`, or `rendered`
// when its object was already there), the time since its generation started
// (since the build started when none ran for it) and the file delivered. A
// take its delivered file does not read (takes not ranked, not picked) gets
// its own line once made, naming its object:
//
//   ep1:door take 3  exec (synth)  generated  0.3s  cache/objects/ab/ab12….wav
// Generate and rank edges and ninja's "Entering directory" print nothing; foley-gen's summary
// lines give the outcome; every other line (ninja's FAILED blocks, errors,
// warnings) passes through as it is.
class FinishedCues {
 public:
  using Clock = std::chrono::steady_clock;
  FinishedCues(const plan::Plan& plan, Clock::time_point build_started);

  // A progress report of a generation: the first one is when it started.
  void progress(const ProgressEvent& event, Clock::time_point now);
  // One line of ninja's output; returns what to print ("" or lines ending in '\n').
  std::string ninja_line(const std::string& line, Clock::time_point now);

 private:
  struct Cue {
    std::string name;    // "sfx:rain"; "sfx:rain take 2" for a take's own render
    std::string engine;  // "audioldm2 (local)", "silence", "source"
    std::vector<std::string> gen_keys;
  };
  std::string cue_line(const Cue& cue, const std::string& output, Clock::time_point now) const;

  Clock::time_point build_started_;
  std::map<std::string, std::string> object_keys_;        // object link path -> gen key
  std::map<std::string, Cue> outputs_;                    // delivered path (as ninja names it) -> its cue
  std::map<std::string, std::pair<Cue, std::string>> side_takes_;  // gen key -> take not rendered, its object
  std::map<std::string, Clock::time_point> gen_started_;  // gen key -> its first progress report
  std::map<std::string, std::string> gen_outcome_;        // gen key -> "generated", "cached", "team cache"
  std::string last_gen_key_;                              // the GEN edge whose output follows
};

}  // namespace foley::cli
