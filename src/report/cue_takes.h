#pragma once

#include <optional>
#include <vector>

#include "cache/index.h"
#include "plan/planner.h"
#include "report/report_model.h"

namespace foley::report {

// The one take of a generated cue with a single take: its object, picked,
// unscored; none for silence and source cues. (A cue with several takes gets
// them from `foley takes`' listing, through CueVerdict::takes.)
std::vector<Take> cue_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index);

// The take the cue's last build rendered (its history in the index) when it is
// not one of `takes` and its object is still in the cache; else none. What a
// stale cue shows until it is built again.
std::optional<Take> last_built_take(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index,
                                    const std::vector<Take>& takes);

}  // namespace foley::report
