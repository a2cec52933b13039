#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/index.h"
#include "plan/explain.h"
#include "plan/planner.h"

namespace foley::cli {

// Whether a cue's delivered file is up to date, and if not, why and at what cost.
struct CueState {
  const plan::PlannedCue* cue = nullptr;
  bool fresh = false;
  std::string reason;                      // "new", "changed: prompt", "object missing", "output missing",
                                           // "unavailable: profile `ldm` cannot run here" (its model
                                           // folder is absent; the plan's cue says why)
  std::vector<plan::FieldChange> changes;  // vs the last build of this cue
  bool needs_generation = false;           // an object of it (a take) is absent: an engine will run
  std::vector<std::string> missing_keys;   // the gen keys of its absent takes (what a build generates)
  std::string engine;                      // engine type of a generated cue
  std::string profile;
  std::optional<double> credits;           // estimated credits when an API engine must run (every absent take)
};

// What the last render measured on a cue's delivered file, from its sidecar:
// integrated_lufs, momentary_max_lufs, short_term_max_lufs, loudness_range_lu,
// true_peak_dbtp, duration_seconds, padded_seconds, loop and warnings. Null when
// the file has no sidecar (not rendered yet) or the sidecar is unreadable.
nlohmann::json delivered_measurements(const std::filesystem::path& output);

// A sentence about a one-shot padded with silence to its clip, or "".
std::string padding_note(const nlohmann::json& delivered);

// Compares the plan with the last build of each cue and the files on disk.
CueState cue_state(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index);

}  // namespace foley::cli
