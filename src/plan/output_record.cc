#include "plan/output_record.h"

#include <algorithm>
#include <set>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::plan {
namespace fs = std::filesystem;

namespace {

std::set<std::string> planned(const Plan& plan) {
  std::set<std::string> out;
  const fs::path& root = plan.project.config.root;
  for (const PlannedCue& c : plan.cues) {
    out.insert(c.render.output_path.lexically_relative(root).generic_string());
    // Every take's file of `--all-takes`, built or not: dead once the take is gone.
    for (const RenderRequest& t : c.take_renders) out.insert(t.output_path.lexically_relative(root).generic_string());
  }
  return out;
}

std::set<std::string> recorded(const Plan& plan) {
  std::set<std::string> out;
  std::string text;
  try {
    text = read_file(output_record_path(plan));
  } catch (const Error&) {
    return out;  // no record yet
  }
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.insert(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void write_record(const Plan& plan, const std::set<std::string>& paths) {
  std::string text;
  for (const std::string& p : paths) text += p + "\n";
  fs::create_directories(plan.foley_dir());
  write_file_if_changed(output_record_path(plan), text);
}

bool inside(const fs::path& path, const fs::path& dir) {
  const fs::path rel = path.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
}

}  // namespace

fs::path output_record_path(const Plan& plan) { return plan.foley_dir() / "outputs"; }

void remember_outputs(const Plan& plan) {
  std::set<std::string> paths = recorded(plan);
  const size_t before = paths.size();
  std::set<std::string> now = planned(plan);
  paths.insert(now.begin(), now.end());
  if (paths.size() != before || before == 0) write_record(plan, paths);
}

std::vector<fs::path> dead_outputs(const Plan& plan) {
  const auto& config = plan.project.config;
  const std::set<std::string> now = planned(plan);
  std::vector<fs::path> dead;
  for (const std::string& rel : recorded(plan)) {
    if (now.count(rel)) continue;
    const fs::path path = config.root / rel;
    if (!inside(path, config.output_dir) || inside(path, config.cache_dir)) continue;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) dead.push_back(path);
  }
  return dead;
}

std::vector<fs::path> remove_dead_outputs(const Plan& plan) {
  std::vector<fs::path> removed = dead_outputs(plan);
  for (const fs::path& path : removed) {
    fs::path sidecar = path;
    sidecar += ".json";
    for (const fs::path& p : {path, sidecar}) {
      std::error_code ec;
      fs::remove(p, ec);
      if (ec) throw Error::failure("cannot remove " + p.string() + ", which no cue produces any more: " + ec.message());
    }
  }
  write_record(plan, planned(plan));
  return removed;
}

}  // namespace foley::plan
