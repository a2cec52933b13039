#include "cli/farm_status.h"

#include <algorithm>
#include <cstdio>

#include "cache/pending_record.h"
#include "common/atomic_file.h"

namespace foley::cli {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> farm_running(const fs::path& root) {
  std::vector<json> out;
  std::error_code ec;
  for (fs::directory_iterator it(root / cache::kFarmRunningDir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    try {
      json j = json::parse(read_file(it->path()), nullptr, false);
      if (j.is_object() && j.contains("where") && j["where"].is_object()) out.push_back(std::move(j));
    } catch (const std::exception&) {
    }
  }
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return a["where"].value("started_at", 0LL) < b["where"].value("started_at", 0LL);
  });
  return out;
}

std::string farm_running_text(const std::vector<json>& running, long long now_ms) {
  if (running.empty()) return "";
  std::string text = "running on the farm:\n";
  for (const json& r : running) {
    std::string cues;
    if (r.contains("cues") && r["cues"].is_array())
      for (const json& c : r["cues"]) cues += (cues.empty() ? "" : ",") + (c.is_string() ? c.get<std::string>() : "");
    const json& w = r["where"];
    char line[512];
    std::snprintf(line, sizeof line, "  %-32s on %s, CUDA_VISIBLE_DEVICES=%s%s%s, for %.1f s\n", cues.c_str(),
                  w.value("host", std::string("?")).c_str(), w.value("cuda_visible_devices", std::string()).c_str(),
                  w.contains("slurm_step") ? ", step " : "", w.value("slurm_step", std::string()).c_str(),
                  (now_ms - w.value("started_at", now_ms)) / 1000.0);
    text += line;
  }
  return text;
}

}  // namespace foley::cli
