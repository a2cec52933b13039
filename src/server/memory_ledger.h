#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace foley::server {

// The process's resident set size now (VmRSS), in bytes; 0 when unknown.
int64_t current_rss_bytes();

// The process's peak resident set size (VmHWM), in bytes; 0 when unknown.
int64_t peak_rss_bytes();

// Resets the peak (VmHWM) to the current RSS (Linux ≥ 4.0: "5" to
// /proc/self/clear_refs), so peak_rss_bytes() afterwards is the peak of
// what ran since. False when the kernel does not allow it (the peak is then
// the process's lifetime peak).
bool reset_peak_rss();

// The server's memory record per request shape (batch key) and batch size:
// the peak RSS of the process while such a batch ran, above the RSS it had
// once its model was loaded. The CPU build has no tensor allocator counters,
// so this is RSS (weights are mmapped and count once touched); a CUDA build
// would report the device allocator's peak instead.
class MemoryLedger {
 public:
  // Sets the RSS of "model loaded, nothing running" (after each load).
  void set_baseline(int64_t rss_bytes) { baseline_ = rss_bytes; }
  int64_t baseline() const { return baseline_; }

  // Records one finished batch of `batch_size` requests of shape `key`.
  void record(const std::string& key, int batch_size, int64_t peak_bytes);

  // The most a member of a batch of `key` has taken above the baseline
  // (largest (peak - baseline) / batch size seen); 0 when none ran yet.
  int64_t per_member_bytes(const std::string& key) const;

  // The largest batch of `key` that fits `budget_bytes` by per_member_bytes,
  // at most `max_batch` and at least 1. Unknown shapes run alone first (one
  // request measures the shape) when a budget is set; no budget (0) = max_batch.
  int batch_limit(const std::string& key, int max_batch, int64_t budget_bytes) const;

  // [{"shape":key,"batch":n,"peak_rss_mib":..,"above_baseline_mib":..,"runs":k}, ...]
  nlohmann::json to_json() const;

 private:
  struct Entry {
    int64_t peak = 0;  // the largest peak seen
    int runs = 0;
  };
  int64_t baseline_ = 0;
  std::map<std::pair<std::string, int>, Entry> entries_;
};

}  // namespace foley::server
