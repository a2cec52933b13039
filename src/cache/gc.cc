#include "cache/gc.h"

#include "cache/index.h"
#include "cache/object_meta.h"
#include "cache/object_store.h"
#include "common/error.h"

namespace foley::cache {
namespace fs = std::filesystem;

GcResult gc(Index& index, const ObjectStore& store, const GcOptions& options) {
  if (!options.max_size && !options.unreferenced_only)
    throw Error("cache gc: give a maximum size or ask for unreferenced objects only");
  if (options.max_size && *options.max_size < 0) throw Error("cache gc: the maximum size cannot be negative");

  GcResult result;
  result.dry_run = options.dry_run;
  auto objects = index.list_objects();  // least recently used first
  for (const auto& rec : objects) result.bytes_before += rec.size;
  int64_t total = result.bytes_before;

  auto fits = [&] { return options.max_size && total <= *options.max_size; };
  for (const auto& rec : objects) {
    if (fits()) break;
    if (options.referenced.count(rec.gen_key)) continue;
    if (rec.is_protected() && !options.include_pinned) {
      ++result.protected_kept;
      continue;
    }
    if (!options.dry_run) {
      std::error_code ec;
      fs::path path = store.path_for(rec.gen_key, rec.ext);
      fs::remove(path, ec);
      if (ec) throw Error::failure("cache gc: cannot remove " + path.string() + ": " + ec.message());
      index.remove_object(rec.gen_key);
      remove_object_meta(store.cache_dir(), rec.gen_key);
    }
    total -= rec.size;
    result.bytes += rec.size;
    ++result.count;
    result.removed.push_back({rec.gen_key, rec.ext, rec.size, rec.pinned, rec.paid, rec.last_used_at});
  }
  result.bytes_after = total;
  if (options.sweep_temp_files && !options.dry_run) result.temp_files_removed = store.sweep_temp_files();
  return result;
}

}  // namespace foley::cache
