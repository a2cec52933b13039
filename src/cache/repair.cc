#include "cache/repair.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "cache/index.h"
#include "cache/kept_answers.h"
#include "cache/object_meta.h"
#include "cache/object_store.h"
#include "common/error.h"

namespace foley::cache {
namespace fs = std::filesystem;

namespace {

bool index_is_healthy(const fs::path& cache_dir) {
  try {
    Index index(cache_dir, IndexOptions{.self_heal = false});
    return index.integrity_check() == "ok";
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::vector<fs::path> move_index_aside(const fs::path& cache_dir) {
  const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<fs::path> moved;
  const fs::path db = Index::index_path(cache_dir);
  // Never over an earlier damaged copy (two in the same second).
  std::string tag = std::to_string(stamp);
  for (int n = 1;; ++n) {
    std::error_code ec;
    if (!fs::exists(db.string() + ".damaged-" + tag, ec) && !fs::exists(db.string() + ".damaged-" + tag + "-wal", ec))
      break;
    tag = std::to_string(stamp) + "." + std::to_string(n);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::path from = db.string() + suffix;
    std::error_code ec;
    if (!fs::exists(from, ec)) continue;
    fs::path to = db.string() + ".damaged-" + tag + suffix;
    fs::rename(from, to, ec);
    if (ec) throw Error::failure("cannot move the damaged index " + from.string() + " aside: " + ec.message());
    moved.push_back(to);
  }
  return moved;
}

RepairReport repair_index(const fs::path& cache_dir) {
  RepairReport report;
  if (!index_is_healthy(cache_dir)) {
    report.index_damaged = true;
    report.moved_aside = move_index_aside(cache_dir);
  }
  Index index(cache_dir, IndexOptions{.self_heal = false});
  adopt_objects_on_disk(index, report);
  return report;
}

void adopt_objects_on_disk(Index& index, RepairReport& report) {
  const fs::path& cache_dir = index.cache_dir();
  ObjectStore store(cache_dir);
  for (const StoredObject& obj : store.list_objects()) {
    if (index.find_object(obj.gen_key)) {
      ++report.already_known;
      continue;
    }
    const std::string checksum = ObjectStore::checksum(obj.path);
    std::optional<ObjectRecord> rec = read_object_meta(cache_dir, obj.gen_key);
    if (rec && (rec->ext != obj.ext || rec->size != obj.size || rec->checksum != checksum)) {
      report.damaged.push_back(obj.gen_key + "." + obj.ext);
      continue;
    }
    if (rec) {
      ++report.from_records;
    } else {
      rec = ObjectRecord{};
      rec->gen_key = obj.gen_key;
      rec->engine = "unknown";
      rec->ext = obj.ext;
      rec->size = obj.size;
      rec->checksum = checksum;
      rec->pinned = true;
      ++report.without_record;
    }
    if (rec->paid) {
      ++report.paid;
      report.credits += rec->credits;
    }
    index.adopt_object(*rec);
  }
  adopt_kept_answers(index, report);
}

void adopt_kept_answers(Index& index, RepairReport& report) {
  const fs::path root = index.cache_dir() / "quarantine" / "unusable";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string gen_key = it->path().filename().string();
    if (!is_valid_gen_key(gen_key) || !it->is_directory()) continue;
    const std::vector<KeptAnswer> kept = kept_answers(index.cache_dir(), gen_key);
    // The index records a key's answers in the order they were kept.
    for (size_t i = static_cast<size_t>(index.count_unusable_answers(gen_key)); i < kept.size(); ++i) {
      index.record_unusable_answer(kept[i].call, kept[i].reason, kept[i].bytes_path.string(), 0);
      ++report.unusable_answers;
      report.unusable_credits += kept[i].call.credits;
    }
  }
}

std::string RepairReport::summary() const {
  std::string s;
  char line[256];
  if (index_damaged) {
    s += "the index was damaged; moved aside:\n";
    for (const auto& p : moved_aside) s += "  " + p.string() + "\n";
  }
  std::snprintf(line, sizeof line,
                "objects: %d known to the index, %d adopted from their records, %d from their bytes alone "
                "(pinned: their provenance is unknown)\n",
                already_known, from_records, without_record);
  s += line;
  std::snprintf(line, sizeof line, "paid objects recovered: %d (%.0f credits), still pinned\n", paid, credits);
  s += line;
  if (unusable_answers > 0) {
    std::snprintf(line, sizeof line,
                  "paid but unusable answers recorded again from quarantine/unusable: %d (%.0f credits)\n",
                  unusable_answers, unusable_credits);
    s += line;
  }
  for (const auto& d : damaged)
    s += "damaged, not adopted: " + d + " (its bytes do not match its record; `foley cache verify` quarantines it)\n";
  return s;
}

}  // namespace foley::cache
