#include "server/memory_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace foley::server {
namespace {

// A "Name:   123 kB" line of /proc/self/status, in bytes.
int64_t status_kb(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream fields(line.substr(prefix.size()));
    int64_t kb = 0;
    fields >> kb;
    return kb * 1024;
  }
  return 0;
}

double mib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

int64_t current_rss_bytes() { return status_kb("VmRSS"); }
int64_t peak_rss_bytes() { return status_kb("VmHWM"); }

bool reset_peak_rss() {
  int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

void MemoryLedger::record(const std::string& key, int batch_size, int64_t peak_bytes) {
  Entry& e = entries_[{key, batch_size}];
  e.peak = std::max(e.peak, peak_bytes);
  e.runs++;
}

int64_t MemoryLedger::per_member_bytes(const std::string& key) const {
  int64_t worst = 0;
  for (const auto& [k, e] : entries_) {
    if (k.first != key || k.second <= 0) continue;
    worst = std::max(worst, std::max<int64_t>(0, e.peak - baseline_) / k.second);
  }
  return worst;
}

int MemoryLedger::batch_limit(const std::string& key, int max_batch, int64_t budget_bytes) const {
  max_batch = std::max(1, max_batch);
  if (budget_bytes <= 0) return max_batch;
  bool known = false;
  for (const auto& entry : entries_) known = known || entry.first.first == key;
  if (!known) return 1;
  int64_t each = per_member_bytes(key);
  if (each <= 0) return max_batch;
  return static_cast<int>(std::clamp<int64_t>(budget_bytes / each, 1, max_batch));
}

nlohmann::json MemoryLedger::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, e] : entries_)
    out.push_back({{"shape", k.first},
                   {"batch", k.second},
                   {"peak_rss_mib", mib(e.peak)},
                   {"above_baseline_mib", mib(std::max<int64_t>(0, e.peak - baseline_))},
                   {"runs", e.runs}});
  return out;
}

}  // namespace foley::server
