#include "report/report_builder.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "audio/audio_reader.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"
#include "common/version.h"
#include "report/cue_takes.h"

namespace foley::report {
namespace fs = std::filesystem;

namespace {

std::optional<double> number_at(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

Delivered delivered_file(const plan::Plan& plan, const plan::PlannedCue& cue) {
  Delivered d;
  const fs::path& out = cue.render.output_path;
  d.path = out.lexically_relative(plan.project.config.root).generic_string();
  std::error_code ec;
  d.present = fs::exists(out, ec);
  if (!d.present) return d;
  try {
    d.duration_seconds = audio::probe_audio(out).duration_seconds;
  } catch (const Error& e) {
    log_warning(std::string("report: ") + e.what());
  }
  fs::path sidecar = out;
  sidecar += ".json";
  if (!fs::exists(sidecar, ec)) return d;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(sidecar));
    d.integrated_lufs = number_at(j, "integrated_lufs");
    d.true_peak_dbtp = number_at(j, "true_peak_dbtp");
  } catch (const std::exception& e) {
    log_warning("report: " + sidecar.string() + " is not a readable sidecar (" + e.what() + "): loudness not shown");
  }
  return d;
}

CueRow cue_row(const plan::Plan& plan, const plan::PlannedCue& c, cache::Index& index, const CueVerdict& v) {
  CueRow row;
  row.id = c.cue.id;
  row.qualified_id = c.cue.qualified_id();
  row.manifest = c.cue.manifest;
  row.type = c.cue.type;
  row.category = c.cue.category;
  row.tags = c.cue.tags;
  row.prompt = c.cue.prompt;
  row.engine = v.engine;
  row.profile = v.profile;
  row.duration = c.cue.duration;
  row.status = v.status;
  row.render_key = c.render_key;
  row.delivered = delivered_file(plan, c);
  row.takes = v.takes.empty() ? cue_takes(plan, c, index) : v.takes;
  bool picked_present = false;
  for (const Take& t : row.takes) picked_present = picked_present || (t.picked && t.present);
  if (!row.status.fresh && !picked_present) row.last_built = last_built_take(plan, c, index, row.takes);
  for (const Take& t : row.takes) row.credits += t.credits;
  return row;
}

}  // namespace

Report build_report(const plan::Plan& plan, cache::Index& index, const std::vector<CueVerdict>& verdicts) {
  if (verdicts.size() != plan.cues.size()) throw Error("report: one status per cue is needed");
  Report r;
  r.project = plan.project.config.name;
  r.foley_version = foley_version();
  r.generated_at_ms = index.now();

  std::set<std::string> estimated;  // each generation a build would run counts once
  for (size_t i = 0; i < plan.cues.size(); ++i) {
    const plan::PlannedCue& c = plan.cues[i];
    if (r.manifests.empty() || r.manifests.back().name != c.cue.manifest) r.manifests.push_back({c.cue.manifest, {}});
    CueRow row = cue_row(plan, c, index, verdicts[i]);
    r.summary.cues++;
    if (!row.status.fresh) r.summary.stale++;
    if (row.status.estimated_credits && estimated.insert(c.gen_key).second)
      r.summary.estimated_credits += *row.status.estimated_credits;
    r.manifests.back().cues.push_back(std::move(row));
  }

  const cache::CacheStats stats = index.stats();
  r.summary.credits_spent = stats.credits_spent;
  r.summary.credits_saved = stats.credits_saved;
  r.summary.hits = stats.hits;
  r.summary.misses = stats.misses;
  return r;
}

}  // namespace foley::report
