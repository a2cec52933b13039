#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "cache/records.h"

namespace foley::cache {

struct StatsFormatOptions {
  std::filesystem::path cache_dir;  // printed when not empty
  std::optional<int64_t> max_size;  // printed as "x / max (p%)" when set
};

// `foley cache stats`, in the layout of `ccache -s`: one "Label:  value" line
// per counter, sections indented by two spaces, hit rates as "h / n (p%)".
std::string format_stats(const CacheStats& stats, const StatsFormatOptions& options = {});

// "0 B", "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB".
std::string format_bytes(int64_t bytes);
// "0s", "42s", "3m 05s", "1h 02m 03s"; fractions of a second are rounded.
std::string format_duration(double seconds);
// "h / n (p%)" with two decimals, or "0 / 0" when n is 0.
std::string format_ratio(int64_t part, int64_t whole);

}  // namespace foley::cache
