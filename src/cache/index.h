#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/records.h"
#include "common/clock.h"

namespace foley::cache {

class Database;

struct IndexOptions {
  // SQLite's own wait for a lock before it reports SQLITE_BUSY.
  int busy_timeout_ms = 30000;
  // After that, whole transactions are retried with backoff until this long
  // has passed; only then does an operation fail with "database is busy".
  std::chrono::milliseconds retry_budget{120000};
  const Clock* clock = nullptr;  // null: real_clock(); a fake one makes LRU order testable
  // Recover on its own: a damaged file is moved aside and rebuilt, a new
  // index adopts the objects on disk. false: damage is an error and a new
  // index is left empty (`foley cache repair` does both itself, and reports).
  bool self_heal = true;
};

// The SQLite index of a cache directory, `<cache>/index.sqlite`: provenance,
// checksums, last use, pins, per-cue history, build counters and the content
// hash cache. The only code in foley that speaks SQL. WAL mode with
// synchronous=NORMAL; every write is one BEGIN IMMEDIATE transaction, retried
// on SQLITE_BUSY, so many foley-gen processes may write at once.
// One Index per process (or thread); do not share one across fork().
class Index {
 public:
  // Opens or creates the index in `cache_dir` (created when missing) and
  // migrates it forward. A damaged index (at open or at any later statement:
  // a truncated file, with or without its WAL) is moved aside and rebuilt
  // from the object records with a warning; a new index adopts the objects
  // already on disk the same way (a deleted or emptied index). Throws foley::Error (bad input) when the index was
  // written by a newer foley, foley::Error (failure) when it cannot be opened.
  explicit Index(const std::filesystem::path& cache_dir, IndexOptions options = {});
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  static std::filesystem::path index_path(const std::filesystem::path& cache_dir);
  const std::filesystem::path& cache_dir() const { return cache_dir_; }
  int schema_version();

  // --- objects -------------------------------------------------------------
  // Inserts or replaces the row of rec.gen_key after a generation: provenance
  // fields are replaced, created_at/hit_count/pinned of an existing row are
  // kept (pinned is OR-ed; paid implies pinned). Counts one miss and the
  // credits spent, overall and for `build_id` when non-zero.
  void record_object(const ObjectRecord& rec, int64_t build_id = 0);
  std::optional<ObjectRecord> find_object(const std::string& gen_key);
  // All objects, least recently used first (ties: oldest, then key).
  std::vector<ObjectRecord> list_objects();
  // A cache hit: bumps hit_count and last_used_at, adds the object's credits
  // and generation time to the saved totals (and to `build_id`'s row when
  // non-zero). Returns false, counting nothing, when the key is unknown.
  bool record_hit(const std::string& gen_key, int64_t build_id = 0);
  // Objects fetched from the team cache (cache/remote/), in one transaction:
  // inserts each row with the provenance the remote's record carries
  // (credits, request id, paid; `details.remote_hit` says where it came
  // from), and counts a hit that saved its credits, overall, as a remote hit
  // and for `build_id` when non-zero. No miss and no credits spent are
  // counted. The records beside the objects are the fetcher's to write.
  void record_remote_hits(const std::vector<ObjectRecord>& fetched, int64_t build_id = 0);
  // Adds what a process's talk with the team cache counted.
  void add_remote_counters(const RemoteCounters& counters);
  // Marks the object used now without counting a hit. False when unknown.
  bool touch(const std::string& gen_key);
  // (record_object, adopt_object and set_pinned also write the object's record
  // beside it: cache/object_meta.h.)
  // Sets the explicit pin. A paid object stays protected even when unpinned.
  // False when unknown.
  bool set_pinned(const std::string& gen_key, bool pinned);
  // Deletes the row (history in cue_builds is kept). False when unknown.
  bool remove_object(const std::string& gen_key);
  // Adds a row for an object found on disk (`foley cache repair`) as `rec`
  // says, counting no miss; its credits go back into what the cache spent
  // (the counters of a lost index went with it); `created_at` is kept when
  // set. False, changing nothing, when the key is already known.
  bool adopt_object(const ObjectRecord& rec);

  // A paid answer that could not be used (cache/kept_answers.h), kept at
  // `path`: one row of the ledger, its credits counted as spent, overall and
  // for `build_id` when non-zero. No object, hit or miss is counted.
  void record_unusable_answer(const ObjectRecord& call, const std::string& reason, const std::string& path,
                              int64_t build_id = 0);
  // How many unusable answers of `gen_key` the ledger holds, and their credits.
  int64_t count_unusable_answers(const std::string& gen_key);
  double credits_of_unusable_answers(const std::string& gen_key);

  // --- take scores (cache/take_scores.cc) ----------------------------------
  // Records (or replaces) the score of a take by a scorer against a prompt.
  void record_take_score(const TakeScore& score);
  // The score `scorer` gave the take against `prompt`, if it did.
  std::optional<double> find_take_score(const std::string& gen_key, const std::string& scorer,
                                        const std::string& prompt);
  // Every score of an object, newest first.
  std::vector<TakeScore> take_scores(const std::string& gen_key);

  // --- per-cue history -----------------------------------------------------
  // Appends one row; built_at defaults to now.
  void record_cue_build(const CueBuild& build);
  // A cue's history is its project's (CueBuild::project, "name#id":
  // plan/project_identity.h): projects sharing a cache never see each other's.
  // Rows an older foley wrote, under the bare name or no project at all, count
  // until the project records its own.
  std::optional<CueBuild> last_cue_build(const std::string& project, const std::string& cue);
  // Newest first, at most `limit` rows.
  std::vector<CueBuild> cue_history(const std::string& project, const std::string& cue, int limit = 20);

  // --- builds --------------------------------------------------------------
  // Starts a build row and returns its id.
  int64_t begin_build();
  // Adds `extra`'s counters to what record_object/record_hit accumulated for
  // `id`, sets finished_at and extra.exit_code, and returns the final row.
  // Throws foley::Error when `id` is unknown.
  BuildStats finish_build(int64_t id, const BuildStats& extra);
  std::optional<BuildStats> find_build(int64_t id);
  std::optional<BuildStats> last_build();

  // --- content-hash cache (stat_hashes) ------------------------------------
  // The hash stored for `path` if size, mtime and inode still match.
  std::optional<std::string> lookup_content_hash(const std::string& path, int64_t size, int64_t mtime_ns,
                                                 int64_t inode);
  void store_content_hash(const std::string& path, int64_t size, int64_t mtime_ns, int64_t inode,
                          const std::string& hash);

  // --- whole index -----------------------------------------------------------
  CacheStats stats();
  // Zeroes the statistics counters (hits, misses, credits and seconds spent
  // and saved), like `ccache -z`. Objects, their ledger rows, pins and the
  // cue history are untouched.
  void zero_stats();
  // PRAGMA integrity_check: "ok", or SQLite's list of problems.
  std::string integrity_check();
  int64_t now() const;

 private:
  void with_write(const std::function<void()>& body);
  void with_read(const std::function<void()>& body);
  void retry(const std::function<void()>& attempt, const char* what);
  void open_and_migrate();
  // The file turned out damaged (SQLITE_CORRUPT/NOTADB): under the cache's
  // repair lock, moves it aside (unless another process already did), opens
  // a fresh one and adopts the objects on disk from their records, with a
  // warning saying what was recovered. Once per Index.
  void recover_from_damage(const std::string& what);

  std::filesystem::path cache_dir_;
  IndexOptions options_;
  std::unique_ptr<Database> db_;
  uint64_t opened_inode_ = 0;  // of the file db_ opened, to tell whether another process replaced it
  bool recovering_ = false;
  bool recovered_ = false;
};

}  // namespace foley::cache
