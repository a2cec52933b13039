#pragma once

#include <string>
#include <vector>

#include "cache/index.h"
#include "plan/planner.h"
#include "report/report_model.h"

namespace foley::report {

// What `foley status` decided about one cue (cli/cue_state.h computes it;
// the report shows it, never decides it again).
struct CueVerdict {
  CueStatus status;
  std::string engine;
  std::string profile;
  // A cue with several takes: every take as `foley takes` lists them, the one
  // the delivered file reads first. Empty: the cue's one take (cue_takes).
  std::vector<Take> takes;
};

// Gathers the page's data: one section per manifest, one row per cue (its
// takes, its delivered file with the sidecar's loudness and true peak), and
// the cache's statistics for the header. `verdicts` is parallel to
// plan.cues. Reads files and the index; writes nothing; draws no image.
Report build_report(const plan::Plan& plan, cache::Index& index, const std::vector<CueVerdict>& verdicts);

}  // namespace foley::report
