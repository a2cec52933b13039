#include "report/cue_takes.h"

#include <filesystem>

namespace foley::report {
namespace fs = std::filesystem;

std::vector<Take> cue_takes(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index) {
  std::vector<Take> takes;
  if (cue.gen_key.empty()) return takes;
  auto it = plan.generations.find(cue.gen_key);
  if (it == plan.generations.end()) return takes;
  Take t;
  t.gen_key = cue.gen_key;
  t.object = it->second.object_path.lexically_relative(plan.project.config.root).generic_string();
  std::error_code ec;
  t.present = fs::exists(it->second.object_path, ec);
  t.picked = true;
  if (auto rec = index.find_object(cue.gen_key)) {
    t.credits = rec->credits;
    t.credits_estimated = rec->credits_estimated;
    if (rec->duration_seconds > 0.0) t.duration_seconds = rec->duration_seconds;
  }
  takes.push_back(std::move(t));
  return takes;
}

}  // namespace foley::report
