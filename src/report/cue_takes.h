#pragma once

#include <vector>

#include "cache/index.h"
#include "plan/planner.h"
#include "report/report_model.h"

namespace foley::report {

// The one take of a generated cue with a single take: its object, picked,
// unscored; none for silence and source cues. (A cue with several takes gets
// them from `foley takes`' listing, through CueVerdict::takes.)
std::vector<Take> cue_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index);

}  // namespace foley::report
