#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::cli {

// The generations a farm build runs now in the project at `root`: one object
// per file its nodes keep in cache::kFarmRunningDir ({"cues", "gen_key",
// "profile", "where": {"host", "cuda_visible_devices", "slurm_step",
// "started_at"}}). Unreadable files are skipped: they are being replaced.
std::vector<nlohmann::json> farm_running(const std::filesystem::path& root);

// "running on the farm:" and one line per generation, or "" when none runs.
std::string farm_running_text(const std::vector<nlohmann::json>& running, long long now_ms);

}  // namespace foley::cli
