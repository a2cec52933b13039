#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace foley::cache {

class Index;
class ObjectStore;

struct GcOptions {
  // Evict least-recently-used objects until the indexed total is at most this
  // many bytes.
  std::optional<int64_t> max_size;
  // Remove objects whose gen key is not in `referenced` (the current plan's
  // keys). With max_size too, stop as soon as the cache fits.
  bool unreferenced_only = false;
  // Gen keys still used by the current plan: never removed.
  std::set<std::string> referenced;
  // Also remove pinned and paid objects. Without it they are never touched.
  bool include_pinned = false;
  // Report what would be removed; delete nothing.
  bool dry_run = false;
  // Also remove `.tmp-*` orphans older than an hour (not in a dry run).
  bool sweep_temp_files = true;
};

struct GcEntry {
  std::string gen_key;
  std::string ext;
  int64_t size = 0;
  bool pinned = false;
  bool paid = false;
  int64_t last_used_at = 0;
};

struct GcResult {
  bool dry_run = false;
  int64_t count = 0;                   // objects removed (or that would be)
  int64_t bytes = 0;                   // their bytes
  std::vector<GcEntry> removed;        // in removal (LRU) order
  int64_t bytes_before = 0;
  int64_t bytes_after = 0;
  int64_t protected_kept = 0;          // pinned/paid objects spared that were otherwise eligible
  std::vector<std::filesystem::path> temp_files_removed;
};

// Frees space in a cache directory. Least recently used go first (ties:
// oldest, then key). Pinned and paid objects are never removed unless
// include_pinned; referenced keys never are. Removes the index rows of the
// objects it deletes. Throws foley::Error (bad input) when neither max_size
// nor unreferenced_only is given, or max_size is negative.
GcResult gc(Index& index, const ObjectStore& store, const GcOptions& options);

}  // namespace foley::cache
