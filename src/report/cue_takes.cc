#include "report/cue_takes.h"

#include <filesystem>

#include "cache/object_store.h"

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

std::optional<Take> last_built_take(const plan::Plan& plan, const plan::PlannedCue& cue, cache::Index& index,
                                    const std::vector<Take>& takes) {
  std::optional<cache::CueBuild> last = index.last_cue_build(plan.project.config.history(), cue.cue.qualified_id());
  if (!last || last->gen_key.empty()) return std::nullopt;
  for (const Take& t : takes)
    if (t.gen_key == last->gen_key) return std::nullopt;  // still one of its takes: shown as such
  std::optional<cache::ObjectRecord> rec = index.find_object(last->gen_key);
  if (!rec) return std::nullopt;  // its extension, hence its file, is unknown
  const fs::path object = cache::ObjectStore(plan.project.config.cache_dir).path_for(rec->gen_key, rec->ext);
  std::error_code ec;
  if (!fs::is_regular_file(object, ec)) return std::nullopt;
  Take t;
  t.gen_key = rec->gen_key;
  t.object = object.lexically_relative(plan.project.config.root).generic_string();
  t.present = true;
  t.credits = rec->credits;
  t.credits_estimated = rec->credits_estimated;
  if (rec->duration_seconds > 0.0) t.duration_seconds = rec->duration_seconds;
  return t;
}

}  // namespace foley::report
