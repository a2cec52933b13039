#include "tensor/op_profile.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"

namespace foley::tensor {
namespace {

std::atomic<OpProfile>& mode_slot() {
  static std::atomic<OpProfile> slot{op_profile_from(std::getenv("FOLEY_PROFILE_OPS"))};
  return slot;
}

OpProfile mode() { return mode_slot().load(std::memory_order_relaxed); }

struct Row {
  double ms = 0;
  long calls = 0;
};

// The table; printed to stderr when the process exits if anything was timed.
class Profile {
 public:
  void add(const std::string& key, double ms) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Row& r = rows_[key];
    r.ms += ms;
    ++r.calls;
  }
  void clear() {
    const std::lock_guard<std::mutex> lock(mutex_);
    rows_.clear();
  }
  // By time, longest first.
  std::vector<OpProfileRow> rows() {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<OpProfileRow> out;
    for (const auto& [key, r] : rows_) out.push_back({key, r.calls, r.ms});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
    return out;
  }
  std::string report() {
    const std::vector<OpProfileRow> rows = this->rows();
    double total = 0;
    for (const OpProfileRow& r : rows) total += r.ms;
    std::string out;
    char line[160];
    std::snprintf(line, sizeof line, "FOLEY_PROFILE_OPS: %.1f ms in tensor ops\n%8s %10s %9s %6s  %s\n", total,
                  "calls", "total ms", "ms/call", "share", "op");
    out += line;
    for (const OpProfileRow& r : rows) {
      std::snprintf(line, sizeof line, "%8ld %10.1f %9.3f %5.1f%%  ", r.calls, r.ms,
                    r.ms / static_cast<double>(r.calls), total > 0 ? 100.0 * r.ms / total : 0.0);
      out += line + r.key + "\n";
    }
    return out;
  }
  ~Profile() {
    if (!rows_.empty()) std::fputs(report().c_str(), stderr);
  }


 private:
  std::mutex mutex_;
  std::map<std::string, Row> rows_;
};

Profile& profile() {
  static Profile p;
  return p;
}

thread_local int depth = 0;

}  // namespace

OpProfile op_profile_from(const char* value) {
  const std::string v = value ? value : "";
  if (v.empty() || v == "0") return OpProfile::kOff;
  if (v == "1") return OpProfile::kOps;
  if (v == "shapes") return OpProfile::kShapes;
  throw Error("FOLEY_PROFILE_OPS: unknown value \"" + v + "\" (expected 0, 1 or shapes)");
}

void set_op_profile(OpProfile m) { mode_slot().store(m, std::memory_order_relaxed); }
std::vector<OpProfileRow> op_profile_rows() { return profile().rows(); }
std::string op_profile_report() { return profile().report(); }
void clear_op_profile() { profile().clear(); }

OpTimer::OpTimer(const char* op, std::initializer_list<const Tensor*> inputs) {
  const OpProfile m = mode();
  if (m == OpProfile::kOff || depth > 0) return;
  ++depth;
  timing_ = true;
  key_ = op;
  if (m == OpProfile::kShapes)
    for (const Tensor* t : inputs)
      if (t->defined()) key_ += " " + shape_to_string(t->shape());
  profile();  // constructed before the first row is added, so destroyed (and printed) after the last
  start_ = std::chrono::steady_clock::now();
}

OpTimer::~OpTimer() {
  if (!timing_) return;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  --depth;
  profile().add(key_, ms);
}

}  // namespace foley::tensor
