#include "cli/cue_state.h"

#include <filesystem>

namespace foley::cli {
namespace fs = std::filesystem;

double estimate_credits(const GenRequest& request) {
  const auto& d = request.key_fields.contains("duration") ? request.key_fields["duration"] : nlohmann::json();
  if (d.is_number()) return request.settings.value("credits_per_second", 40.0) * d.get<double>();
  return request.settings.value("credits_per_generation", 100.0);
}

CueState cue_state(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index) {
  CueState s;
  s.cue = &cue;
  std::error_code ec;
  if (cue.cue.type == "generated") {
    const GenRequest& req = plan.generations.at(cue.gen_key);
    s.engine = req.engine;
    s.profile = req.profile;
    s.needs_generation = !fs::exists(req.object_path, ec);
    if (s.needs_generation && req.engine == "elevenlabs") s.credits = estimate_credits(req);
  }
  auto last = index.last_cue_build(cue.cue.qualified_id());
  bool output_there = fs::exists(cue.render.output_path, ec);
  if (!last) {
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
