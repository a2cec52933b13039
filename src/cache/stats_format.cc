#include "cache/stats_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace foley::cache {
namespace {

std::string number(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

class Table {
 public:
  void line(int indent, const std::string& label, const std::string& value = "") {
    std::string left = std::string(static_cast<size_t>(indent) * 2, ' ') + label + ":";
    if (value.empty()) {
      os_ << left << "\n";
      return;
    }
    constexpr size_t kColumn = 26;
    os_ << left << std::string(left.size() < kColumn ? kColumn - left.size() : 1, ' ') << value << "\n";
  }
  std::string str() const { return os_.str(); }

 private:
  std::ostringstream os_;
};

}  // namespace

std::string format_bytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (std::fabs(v) >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[64];
  if (unit == 0)
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string format_duration(double seconds) {
  long long s = std::llround(std::max(0.0, seconds));
  long long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
  char buf[64];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", h, m, sec);
  else if (m > 0)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", m, sec);
  else
    std::snprintf(buf, sizeof buf, "%llds", sec);
  return buf;
}

std::string format_ratio(int64_t part, int64_t whole) {
  char buf[96];
  if (whole <= 0) {
    std::snprintf(buf, sizeof buf, "%lld / %lld", static_cast<long long>(part), static_cast<long long>(whole));
  } else {
    std::snprintf(buf, sizeof buf, "%lld / %lld (%.2f%%)", static_cast<long long>(part),
                  static_cast<long long>(whole), 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  }
  return buf;
}

std::string format_stats(const CacheStats& st, const StatsFormatOptions& options) {
  Table t;
  t.line(0, "Cues", std::to_string(st.cues));
  t.line(0, "Objects", std::to_string(st.objects));
  std::string size = format_bytes(st.bytes);
  if (options.max_size && *options.max_size > 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, " (%.0f%%)", 100.0 * static_cast<double>(st.bytes) / static_cast<double>(*options.max_size));
    size += " / " + format_bytes(*options.max_size) + pct;
  }
  t.line(0, "Cache size", size);
  t.line(0, "Pinned", std::to_string(st.pinned) + " (" + std::to_string(st.paid) + " paid)");

  int64_t requests = st.hits + st.misses;
  t.line(0, "Requests", std::to_string(requests));
  t.line(1, "Hits", format_ratio(st.hits, requests));
  t.line(1, "Misses", format_ratio(st.misses, requests));

  if (st.last_build) {
    const BuildStats& b = *st.last_build;
    std::string title = "Last build (#" + std::to_string(b.id);
    title += b.exit_code ? ", exit " + std::to_string(*b.exit_code) + ")" : ", unfinished)";
    t.line(0, title);
    int64_t n = b.hits + b.misses;
    t.line(1, "Hits", format_ratio(b.hits, n));
    t.line(1, "Misses", format_ratio(b.misses, n));
    t.line(1, "Generated", std::to_string(b.generated));
    t.line(1, "Credits spent", number(b.credits_spent));
    t.line(1, "Credits saved", number(b.credits_saved));
    t.line(1, "Time saved", format_duration(b.generation_seconds_saved));
  }

  const RemoteCounters& r = st.remote;
  if (st.remote_hits > 0 || !r.empty()) {
    t.line(0, "Team cache");
    const int64_t lookups = st.remote_hits + r.misses + r.corrupt;
    t.line(1, "Hits", format_ratio(st.remote_hits, lookups));
    t.line(1, "Misses", format_ratio(r.misses, lookups));
    t.line(1, "Corrupt entries", std::to_string(r.corrupt));
    t.line(1, "Errors", std::to_string(r.errors));
    t.line(1, "Timeouts", std::to_string(r.timeouts));
    t.line(1, "Uploads", std::to_string(r.uploads));
    t.line(1, "Downloaded", format_bytes(r.bytes_down));
    t.line(1, "Uploaded", format_bytes(r.bytes_up));
    t.line(1, "Credits saved", number(st.remote_credits_saved));
  }
  t.line(0, "Credits");
  t.line(1, "Spent", number(st.credits_spent));
  t.line(1, "Saved by hits", number(st.credits_saved));
  t.line(0, "Generation time");
  t.line(1, "Spent", format_duration(st.generation_seconds));
  t.line(1, "Saved by hits", format_duration(st.generation_seconds_saved));
  if (!options.cache_dir.empty()) t.line(0, "Cache directory", options.cache_dir.string());
  return t.str();
}

}  // namespace foley::cache
