#include "cli/cue_state.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engines/catalog.h"

namespace foley::cli {
namespace fs = std::filesystem;

nlohmann::json delivered_measurements(const fs::path& output) {
  fs::path sidecar = output;
  sidecar += ".json";
  std::ifstream in(sidecar);
  if (!in) return nullptr;
  nlohmann::json side = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!side.is_object()) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (const char* key : {"integrated_lufs", "momentary_max_lufs", "short_term_max_lufs", "loudness_range_lu",
                          "true_peak_dbtp", "duration_seconds", "padded_seconds", "loop", "warnings"})
    if (side.contains(key)) out[key] = side[key];
  return out;
}

std::string padding_note(const nlohmann::json& delivered) {
  if (!delivered.is_object()) return "";
  const double padded = delivered.value("padded_seconds", 0.0);
  if (!(padded > 0.0)) return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "padded with %.2f s of silence to its clip (a one-shot, not a loop)", padded);
  return buf;
}

CueState cue_state(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index) {
  CueState s;
  s.cue = &cue;
  std::error_code ec;
  if (!cue.unavailable.empty()) {
    // Whatever was delivered before, this plan cannot make it.
    s.profile = cue.cue.engine;
    s.engine = plan.project.config.engines.at(cue.cue.engine).engine;
    s.reason = "unavailable: profile `" + s.profile + "` cannot run here";
    return s;
  }
  if (cue.cue.type == "generated") {
    // Each take is its own generation; a paid engine charges each one.
    for (const std::string& key : cue.take_keys) {
      const GenRequest& req = plan.generations.at(key);
      s.engine = req.engine;
      s.profile = req.profile;
      if (fs::exists(req.object_path, ec)) continue;
      s.missing_keys.push_back(key);
      const engines::EngineRow& row = engines::engine_row(req.engine);
      if (row.credit_estimate) s.credits = s.credits.value_or(0.0) + row.credit_estimate(req.key_fields, req.settings);
    }
    s.needs_generation = !s.missing_keys.empty();
  }
  auto last = index.last_cue_build(plan.project.config.history(), cue.cue.qualified_id());
  bool output_there = fs::exists(cue.render.output_path, ec);
  if (!cue.stale_pick.empty()) {
    s.reason = "stale pick: foley.lock names a take it no longer has";
  } else if (!last) {
    s.reason = "new";
  } else if (last->render_key != cue.render_key) {
    s.changes = plan::diff_fields(last->fields, cue.fields);
    s.reason = "changed: " + (s.changes.empty() ? std::string("key schema") : plan::change_summary(s.changes));
  } else if (s.needs_generation) {
    s.reason = "object missing";
  } else if (!output_there) {
    s.reason = "output missing";
  } else {
    s.fresh = true;
  }
  return s;
}

}  // namespace foley::cli
