#pragma once

#include <vector>

#include "cache/index.h"
#include "plan/planner.h"
#include "report/report_model.h"

namespace foley::report {

// The takes of a generated cue, picked one first; none for silence and
// source cues. One take per cue until a cue asks for several: its object,
// picked, unscored.
std::vector<Take> cue_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index);

}  // namespace foley::report
