#include "ipc/farm_registry.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "ipc/farm_auth.h"

namespace foley::ipc {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path entry_path(const fs::path& cache_dir, const std::string& id) {
  return farm_registry_dir(cache_dir) / (id + ".json");
}

}  // namespace

fs::path farm_registry_dir(const fs::path& cache_dir) { return farm_dir(cache_dir) / "servers"; }

void register_farm_server(const fs::path& cache_dir, const FarmServer& s) {
  json j = {{"id", s.id},         {"host", s.host},       {"port", s.port}, {"pid", s.pid},
            {"node", s.node},     {"job_id", s.job_id},   {"step_id", s.step_id},
            {"cuda_visible_devices", s.gpus}};
  write_file_atomic(entry_path(cache_dir, s.id), j.dump() + "\n");
}

bool unregister_farm_server(const fs::path& cache_dir, const std::string& id) {
  std::error_code ec;
  return fs::remove(entry_path(cache_dir, id), ec);
}

std::vector<FarmServer> read_farm_registry(const fs::path& cache_dir) {
  std::vector<FarmServer> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(farm_registry_dir(cache_dir), ec)) {
    if (e.path().extension() != ".json" || e.path().filename().string().rfind(".tmp-", 0) == 0) continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str(), nullptr, false);
    if (!j.is_object() || !j.contains("host") || !j["host"].is_string() || !j.contains("port") ||
        !j["port"].is_number_integer())
      continue;
    FarmServer s;
    s.id = j.value("id", e.path().stem().string());
    s.host = j["host"].get<std::string>();
    s.port = j["port"].get<int>();
    s.pid = j.value("pid", 0LL);
    s.node = j.value("node", std::string());
    s.job_id = j.value("job_id", std::string());
    s.step_id = j.value("step_id", std::string());
    s.gpus = j.value("cuda_visible_devices", std::string());
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const FarmServer& a, const FarmServer& b) { return a.id < b.id; });
  return out;
}

}  // namespace foley::ipc
