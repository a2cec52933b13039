// Opening the index (creating and migrating it), retrying a busy one, and
// recovering from a damaged file (moved aside, rebuilt from the object records).
#include "cache/index.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "cache/object_meta.h"
#include "cache/object_store.h"
#include "cache/repair.h"
#include "cache/schema.h"
#include "cache/sqlite_db.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/log.h"

namespace foley::cache {
namespace fs = std::filesystem;

namespace {

uint64_t inode_of(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

// True when <cache>/objects holds anything: a new index then has objects to adopt.
bool has_objects(const fs::path& cache_dir) {
  std::error_code ec;
  for (fs::directory_iterator it(cache_dir / "objects", ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec) && !fs::is_empty(it->path(), ec)) return true;
  return false;
}

// Recovery opens further Index objects on the same folder (the adoption);
// they must not recover in turn.
thread_local int recovery_depth = 0;

}  // namespace

void Index::recover_from_damage(const std::string& what) {
  if (recovery_depth > 0) throw DamagedError(what);
  ++recovery_depth;
  recovering_ = true;
  struct Done {
    Index& self;
    ~Done() {
      --recovery_depth;
      self.recovering_ = false;
      self.recovered_ = true;
    }
  } done{*this};
  db_.reset();
  const fs::path lock_path = cache_dir_ / "locks" / "index-repair.lock";
  fs::create_directories(lock_path.parent_path());
  FileLock lock(lock_path, /*wait=*/true);
  RepairReport report;
  report.index_damaged = true;
  // Another process that hit the same damage may have replaced the file already.
  if (inode_of(index_path(cache_dir_)) == opened_inode_) report.moved_aside = move_index_aside(cache_dir_);
  open_and_migrate();
  adopt_objects_on_disk(*this, report);
  // The error's own advice (run `foley cache repair`) is what happens here.
  std::string cause = what.substr(0, what.find("; the index is damaged"));
  std::string msg = "cache index " + index_path(cache_dir_).string() + " was damaged (" + cause + ")";
  if (report.moved_aside.empty()) {
    msg += "; another process has rebuilt it";
  } else {
    msg += "; it was moved aside and rebuilt from the object records:\n";
    std::string s = report.summary();
    if (!s.empty() && s.back() == '\n') s.pop_back();
    msg += s;
  }
  log_warning(msg);
}

void Index::open_and_migrate() {
  db_ = std::make_unique<Database>(index_path(cache_dir_).string());
  opened_inode_ = inode_of(index_path(cache_dir_));
  sqlite3_busy_timeout(db_->handle(), options_.busy_timeout_ms);
  // Switching to WAL needs an exclusive lock once per file; a concurrent opener
  // may hold it, so it is retried like any write.
  retry(
      [&] {
        Statement mode(*db_, "PRAGMA journal_mode = WAL");
        mode.step();
        if (mode.column_text(0) != "wal")
          throw Error::failure("cache index " + db_->path() + ": cannot switch to WAL mode (got '" +
                               mode.column_text(0) + "')");
      },
      "enabling WAL");
  db_->exec("PRAGMA synchronous = NORMAL");

  int version = 0;
  with_read([&] { version = read_schema_version(*db_); });
  if (version == current_schema_version()) return;
  if (version > current_schema_version()) migrate(*db_, version);  // throws the "newer index" error
  // Re-read under the write lock: another process may have migrated meanwhile.
  bool created = false;
  with_write([&] {
    const int from = read_schema_version(*db_);
    created = from == 0;
    migrate(*db_, from);
  });
  // A new index beside objects (deleted, emptied, or moved aside above): the
  // objects and their paid flags come back from their records.
  if (created && options_.self_heal && !recovering_ && recovery_depth == 0 && has_objects(cache_dir_)) {
    ++recovery_depth;
    RepairReport report;
    try {
      adopt_objects_on_disk(*this, report);
    } catch (...) {
      --recovery_depth;
      throw;
    }
    --recovery_depth;
    std::string s = report.summary();
    if (!s.empty() && s.back() == '\n') s.pop_back();
    log_warning("cache index " + index_path(cache_dir_).string() +
                " was new beside existing objects; adopted them from their records:\n" + s);
  }
}


void Index::retry(const std::function<void()>& attempt, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + options_.retry_budget;
  std::minstd_rand rng(static_cast<unsigned>(::getpid()) ^
                       static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  int backoff_ms = 1;
  for (;;) {
    try {
      attempt();
      return;
    } catch (const BusyError& e) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw Error::failure("cache index stayed locked while " + std::string(what) + ": " + e.message);
    } catch (const DamagedError& e) {
      if (!options_.self_heal || recovering_ || recovered_ || recovery_depth > 0) throw;
      recover_from_damage(e.what());
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 200);
  }
}

}  // namespace foley::cache
