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

constexpr const char* kObjectColumns =
    "gen_key, engine, profile, ext, request, size, checksum, duration_seconds, generation_seconds, credits, "
    "credits_estimated, request_id, attempts, pinned, paid, created_at, last_used_at, hit_count, details";

constexpr const char* kBuildColumns =
    "id, started_at, finished_at, hits, misses, generated, credits_spent, credits_saved, "
    "generation_seconds_saved, exit_code";

nlohmann::json parse_json_column(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

ObjectRecord read_object(const Statement& s) {
  ObjectRecord r;
  r.gen_key = s.column_text(0);
  r.engine = s.column_text(1);
  r.profile = s.column_text(2);
  r.ext = s.column_text(3);
  r.request = parse_json_column(s.column_text(4));
  r.size = s.column_int(5);
  r.checksum = s.column_text(6);
  r.duration_seconds = s.column_double(7);
  r.generation_seconds = s.column_double(8);
  r.credits = s.column_double(9);
  r.credits_estimated = s.column_int(10) != 0;
  r.request_id = s.column_text(11);
  r.attempts = static_cast<int>(s.column_int(12));
  r.pinned = s.column_int(13) != 0;
  r.paid = s.column_int(14) != 0;
  r.created_at = s.column_int(15);
  r.last_used_at = s.column_int(16);
  r.hit_count = s.column_int(17);
  r.details = parse_json_column(s.column_text(18));
  return r;
}

BuildStats read_build(const Statement& s) {
  BuildStats b;
  b.id = s.column_int(0);
  b.started_at = s.column_int(1);
  b.finished_at = s.column_is_null(2) ? 0 : s.column_int(2);
  b.hits = s.column_int(3);
  b.misses = s.column_int(4);
  b.generated = s.column_int(5);
  b.credits_spent = s.column_double(6);
  b.credits_saved = s.column_double(7);
  b.generation_seconds_saved = s.column_double(8);
  if (!s.column_is_null(9)) b.exit_code = static_cast<int>(s.column_int(9));
  return b;
}

CueBuild read_cue_build(const Statement& s) {
  CueBuild c;
  c.cue = s.column_text(0);
  c.gen_key = s.column_text(1);
  c.render_key = s.column_text(2);
  c.fields = parse_json_column(s.column_text(3));
  c.built_at = s.column_int(4);
  c.build_id = s.column_is_null(5) ? 0 : s.column_int(5);
  c.project = s.column_text(6);
  return c;
}

void add_counter(Database& db, const char* name, double delta) {
  if (delta == 0) return;
  Statement s(db, "UPDATE counters SET value = value + ?2 WHERE name = ?1");
  s.bind(1, name).bind(2, delta).run();
}

double read_counter(Database& db, const char* name) {
  Statement s(db, "SELECT value FROM counters WHERE name = ?1");
  s.bind(1, name);
  return s.step() ? s.column_double(0) : 0.0;
}

void require_gen_key(const std::string& gen_key) {
  if (!is_valid_gen_key(gen_key))
    throw Error("cache: '" + gen_key + "' is not a gen key (32 lowercase hex characters)");
}

}  // namespace

Index::Index(const fs::path& cache_dir, IndexOptions options) : cache_dir_(cache_dir), options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(cache_dir_, ec);
  if (ec) throw Error::failure("cannot create cache directory " + cache_dir_.string() + ": " + ec.message());
  if (options_.clock == nullptr) options_.clock = &real_clock();
  open_and_migrate();
}

Index::~Index() = default;

fs::path Index::index_path(const fs::path& cache_dir) { return cache_dir / "index.sqlite"; }

int64_t Index::now() const { return unix_millis(*options_.clock); }

void Index::with_write(const std::function<void()>& body) {
  retry(
      [&] {
        db_->exec("BEGIN IMMEDIATE");
        try {
          body();
          db_->exec("COMMIT");
        } catch (...) {
          if (!sqlite3_get_autocommit(db_->handle())) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
          throw;
        }
      },
      "writing");
}

void Index::with_read(const std::function<void()>& body) {
  retry(
      [&] {
        db_->exec("BEGIN");
        try {
          body();
          db_->exec("COMMIT");
        } catch (...) {
          if (!sqlite3_get_autocommit(db_->handle())) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
          throw;
        }
      },
      "reading");
}

int Index::schema_version() {
  int v = 0;
  with_read([&] { v = read_schema_version(*db_); });
  return v;
}

// --- objects -----------------------------------------------------------------

void Index::record_object(const ObjectRecord& rec, int64_t build_id) {
  require_gen_key(rec.gen_key);
  if (rec.ext.empty()) throw Error("cache: object " + rec.gen_key + " has no extension");
  int64_t t = now();
  with_write([&] {
    Statement up(*db_, std::string("INSERT INTO objects (") + kObjectColumns + R"sql()
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, 0, ?17)
      ON CONFLICT (gen_key) DO UPDATE SET
        engine = excluded.engine, profile = excluded.profile, ext = excluded.ext, request = excluded.request,
        size = excluded.size, checksum = excluded.checksum, duration_seconds = excluded.duration_seconds,
        generation_seconds = excluded.generation_seconds, credits = excluded.credits,
        credits_estimated = excluded.credits_estimated, request_id = excluded.request_id,
        attempts = excluded.attempts, pinned = (objects.pinned OR excluded.pinned), paid = excluded.paid,
        last_used_at = excluded.last_used_at, details = excluded.details)sql");
    up.bind(1, rec.gen_key).bind(2, rec.engine).bind(3, rec.profile).bind(4, rec.ext);
    up.bind(5, rec.request.dump()).bind(6, rec.size).bind(7, rec.checksum);
    up.bind(8, rec.duration_seconds).bind(9, rec.generation_seconds).bind(10, rec.credits);
    up.bind(11, rec.credits_estimated).bind(12, rec.request_id).bind(13, rec.attempts);
    up.bind(14, rec.pinned || rec.paid).bind(15, rec.paid).bind(16, t).bind(17, rec.details.dump());
    up.run();
    add_counter(*db_, "misses", 1);
    add_counter(*db_, "credits_spent", rec.credits);
    add_counter(*db_, "generation_seconds", rec.generation_seconds);
    if (build_id != 0) {
      Statement b(*db_,
                  "UPDATE builds SET misses = misses + 1, generated = generated + 1, "
                  "credits_spent = credits_spent + ?2 WHERE id = ?1");
      b.bind(1, build_id).bind(2, rec.credits).run();
    }
  });
  if (std::optional<ObjectRecord> stored = find_object(rec.gen_key)) write_object_meta(cache_dir_, *stored);
}

void Index::record_unusable_answer(const ObjectRecord& call, const std::string& reason, const std::string& path,
                                   int64_t build_id) {
  require_gen_key(call.gen_key);
  const int64_t t = now();
  with_write([&] {
    Statement up(*db_, R"sql(INSERT INTO unusable_answers (gen_key, engine, profile, credits, credits_estimated,
      request_id, size, checksum, reason, path, created_at, build_id)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12))sql");
    up.bind(1, call.gen_key).bind(2, call.engine).bind(3, call.profile).bind(4, call.credits);
    up.bind(5, call.credits_estimated).bind(6, call.request_id).bind(7, call.size).bind(8, call.checksum);
    up.bind(9, reason).bind(10, path).bind(11, t);
    if (build_id != 0) up.bind(12, build_id);
    up.run();
    add_counter(*db_, "credits_spent", call.credits);
    if (build_id != 0) {
      Statement b(*db_, "UPDATE builds SET credits_spent = credits_spent + ?2 WHERE id = ?1");
      b.bind(1, build_id).bind(2, call.credits).run();
    }
  });
}

int64_t Index::count_unusable_answers(const std::string& gen_key) {
  int64_t n = 0;
  with_read([&] {
    Statement s(*db_, "SELECT count(*) FROM unusable_answers WHERE gen_key = ?1");
    s.bind(1, gen_key);
    s.step();
    n = s.column_int(0);
  });
  return n;
}

double Index::credits_of_unusable_answers(const std::string& gen_key) {
  double c = 0;
  with_read([&] {
    Statement s(*db_, "SELECT coalesce(sum(credits), 0) FROM unusable_answers WHERE gen_key = ?1");
    s.bind(1, gen_key);
    s.step();
    c = s.column_double(0);
  });
  return c;
}

bool Index::adopt_object(const ObjectRecord& rec) {
  require_gen_key(rec.gen_key);
  if (rec.ext.empty()) throw Error("cache: object " + rec.gen_key + " has no extension");
  int64_t t = now();
  bool added = false;
  with_write([&] {
    Statement up(*db_, std::string("INSERT OR IGNORE INTO objects (") + kObjectColumns + R"sql()
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 0, ?18))sql");
    up.bind(1, rec.gen_key).bind(2, rec.engine).bind(3, rec.profile).bind(4, rec.ext);
    up.bind(5, rec.request.dump()).bind(6, rec.size).bind(7, rec.checksum);
    up.bind(8, rec.duration_seconds).bind(9, rec.generation_seconds).bind(10, rec.credits);
    up.bind(11, rec.credits_estimated).bind(12, rec.request_id).bind(13, rec.attempts);
    up.bind(14, rec.pinned || rec.paid).bind(15, rec.paid).bind(16, rec.created_at > 0 ? rec.created_at : t);
    up.bind(17, t).bind(18, rec.details.dump());
    up.run();
    added = db_->changes() > 0;
    // What the object cost is part of what this cache spent (the counters of a
    // lost index went with it).
    if (added && rec.credits > 0) add_counter(*db_, "credits_spent", rec.credits);
  });
  if (added)
    if (std::optional<ObjectRecord> stored = find_object(rec.gen_key)) write_object_meta(cache_dir_, *stored);
  return added;
}

std::optional<ObjectRecord> Index::find_object(const std::string& gen_key) {
  std::optional<ObjectRecord> out;
  with_read([&] {
    out.reset();
    Statement s(*db_, std::string("SELECT ") + kObjectColumns + " FROM objects WHERE gen_key = ?1");
    s.bind(1, gen_key);
    if (s.step()) out = read_object(s);
  });
  return out;
}

std::vector<ObjectRecord> Index::list_objects() {
  std::vector<ObjectRecord> out;
  with_read([&] {
    out.clear();
    Statement s(*db_, std::string("SELECT ") + kObjectColumns +
                          " FROM objects ORDER BY last_used_at, created_at, gen_key");
    while (s.step()) out.push_back(read_object(s));
  });
  return out;
}

bool Index::record_hit(const std::string& gen_key, int64_t build_id) {
  bool found = false;
  int64_t t = now();
  with_write([&] {
    Statement q(*db_, "SELECT credits, generation_seconds FROM objects WHERE gen_key = ?1");
    q.bind(1, gen_key);
    found = q.step();
    if (!found) return;
    double credits = q.column_double(0);
    double seconds = q.column_double(1);
    Statement u(*db_, "UPDATE objects SET hit_count = hit_count + 1, last_used_at = ?2 WHERE gen_key = ?1");
    u.bind(1, gen_key).bind(2, t).run();
    add_counter(*db_, "hits", 1);
    add_counter(*db_, "credits_saved", credits);
    add_counter(*db_, "generation_seconds_saved", seconds);
    if (build_id != 0) {
      Statement b(*db_,
                  "UPDATE builds SET hits = hits + 1, credits_saved = credits_saved + ?2, "
                  "generation_seconds_saved = generation_seconds_saved + ?3 WHERE id = ?1");
      b.bind(1, build_id).bind(2, credits).bind(3, seconds).run();
    }
  });
  return found;
}

bool Index::touch(const std::string& gen_key) {
  bool changed = false;
  int64_t t = now();
  with_write([&] {
    Statement u(*db_, "UPDATE objects SET last_used_at = ?2 WHERE gen_key = ?1");
    u.bind(1, gen_key).bind(2, t).run();
    changed = db_->changes() > 0;
  });
  return changed;
}

bool Index::set_pinned(const std::string& gen_key, bool pinned) {
  bool changed = false;
  with_write([&] {
    Statement u(*db_, "UPDATE objects SET pinned = ?2 WHERE gen_key = ?1");
    u.bind(1, gen_key).bind(2, pinned).run();
    changed = db_->changes() > 0;
  });
  if (changed)
    if (std::optional<ObjectRecord> stored = find_object(gen_key)) write_object_meta(cache_dir_, *stored);
  return changed;
}

bool Index::remove_object(const std::string& gen_key) {
  bool changed = false;
  with_write([&] {
    Statement d(*db_, "DELETE FROM objects WHERE gen_key = ?1");
    d.bind(1, gen_key).run();
    changed = db_->changes() > 0;
  });
  return changed;
}

// --- per-cue history ---------------------------------------------------------

void Index::record_cue_build(const CueBuild& build) {
  if (build.cue.empty()) throw Error("cache: a cue build needs a cue id");
  int64_t t = build.built_at != 0 ? build.built_at : now();
  with_write([&] {
    Statement s(*db_,
                "INSERT INTO cue_builds (cue, gen_key, render_key, fields, built_at, build_id, project) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, build.cue).bind(2, build.gen_key).bind(3, build.render_key).bind(4, build.fields.dump()).bind(5, t);
    s.bind(7, build.project);
    if (build.build_id != 0) s.bind(6, build.build_id); else s.bind_null(6);
    s.run();
  });
}

std::optional<CueBuild> Index::last_cue_build(const std::string& project, const std::string& cue) {
  auto history = cue_history(project, cue, 1);
  if (history.empty()) return std::nullopt;
  return history.front();
}

std::vector<CueBuild> Index::cue_history(const std::string& project, const std::string& cue, int limit) {
  // "name#id" -> "name": the rows of a foley that kept histories by name alone.
  const size_t hash = project.rfind('#');
  const std::string legacy = hash == std::string::npos ? project : project.substr(0, hash);
  std::vector<CueBuild> out;
  with_read([&] {
    out.clear();
    Statement s(*db_,
                "SELECT cue, gen_key, render_key, fields, built_at, build_id, project FROM cue_builds "
                "WHERE cue = ?1 AND project IN (?3, ?4, '') "
                "ORDER BY project = ?3 DESC, built_at DESC, id DESC LIMIT ?2");
    s.bind(1, cue).bind(2, limit).bind(3, project).bind(4, legacy);
    while (s.step()) out.push_back(read_cue_build(s));
  });
  return out;
}

// --- builds ------------------------------------------------------------------

int64_t Index::begin_build() {
  int64_t id = 0;
  int64_t t = now();
  with_write([&] {
    Statement s(*db_, "INSERT INTO builds (started_at) VALUES (?1)");
    s.bind(1, t).run();
    id = sqlite3_last_insert_rowid(db_->handle());
  });
  return id;
}

BuildStats Index::finish_build(int64_t id, const BuildStats& extra) {
  int64_t t = now();
  bool found = false;
  with_write([&] {
    Statement s(*db_, R"sql(UPDATE builds SET finished_at = ?2, hits = hits + ?3, misses = misses + ?4,
        generated = generated + ?5, credits_spent = credits_spent + ?6, credits_saved = credits_saved + ?7,
        generation_seconds_saved = generation_seconds_saved + ?8, exit_code = ?9 WHERE id = ?1)sql");
    s.bind(1, id).bind(2, t).bind(3, extra.hits).bind(4, extra.misses).bind(5, extra.generated);
    s.bind(6, extra.credits_spent).bind(7, extra.credits_saved).bind(8, extra.generation_seconds_saved);
    if (extra.exit_code) s.bind(9, *extra.exit_code); else s.bind_null(9);
    s.run();
    found = db_->changes() > 0;
  });
  if (!found) throw Error("cache: no build with id " + std::to_string(id));
  return *find_build(id);
}

std::optional<BuildStats> Index::find_build(int64_t id) {
  std::optional<BuildStats> out;
  with_read([&] {
    out.reset();
    Statement s(*db_, std::string("SELECT ") + kBuildColumns + " FROM builds WHERE id = ?1");
    s.bind(1, id);
    if (s.step()) out = read_build(s);
  });
  return out;
}

std::optional<BuildStats> Index::last_build() {
  std::optional<BuildStats> out;
  with_read([&] {
    out.reset();
    Statement s(*db_, std::string("SELECT ") + kBuildColumns + " FROM builds ORDER BY id DESC LIMIT 1");
    if (s.step()) out = read_build(s);
  });
  return out;
}

void Index::record_remote_hits(const std::vector<ObjectRecord>& fetched, int64_t build_id) {
  if (fetched.empty()) return;
  for (const ObjectRecord& rec : fetched) {
    require_gen_key(rec.gen_key);
    if (rec.ext.empty()) throw Error("cache: object " + rec.gen_key + " has no extension");
  }
  const int64_t t = now();
  with_write([&] {
    double credits = 0, seconds = 0;
    for (const ObjectRecord& rec : fetched) {
      // The object is new here: its first use is this hit.
      Statement up(*db_, std::string("INSERT OR IGNORE INTO objects (") + kObjectColumns + R"sql()
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, 0, ?17))sql");
      up.bind(1, rec.gen_key).bind(2, rec.engine).bind(3, rec.profile).bind(4, rec.ext);
      up.bind(5, rec.request.dump()).bind(6, rec.size).bind(7, rec.checksum);
      up.bind(8, rec.duration_seconds).bind(9, rec.generation_seconds).bind(10, rec.credits);
      up.bind(11, rec.credits_estimated).bind(12, rec.request_id).bind(13, rec.attempts);
      up.bind(14, rec.pinned || rec.paid).bind(15, rec.paid).bind(16, t).bind(17, rec.details.dump());
      up.run();
      Statement hit(*db_, "UPDATE objects SET hit_count = hit_count + 1, last_used_at = ?2 WHERE gen_key = ?1");
      hit.bind(1, rec.gen_key).bind(2, t).run();
      credits += rec.credits;
      seconds += rec.generation_seconds;
    }
    const double n = static_cast<double>(fetched.size());
    add_counter(*db_, "hits", n);
    add_counter(*db_, "credits_saved", credits);
    add_counter(*db_, "generation_seconds_saved", seconds);
    add_counter(*db_, "remote_hits", n);
    add_counter(*db_, "remote_credits_saved", credits);
    if (build_id != 0) {
      Statement b(*db_,
                  "UPDATE builds SET hits = hits + ?2, credits_saved = credits_saved + ?3, "
                  "generation_seconds_saved = generation_seconds_saved + ?4 WHERE id = ?1");
      b.bind(1, build_id).bind(2, static_cast<int64_t>(fetched.size())).bind(3, credits).bind(4, seconds).run();
    }
  });
}

void Index::add_remote_counters(const RemoteCounters& c) {
  if (c.empty()) return;
  with_write([&] {
    add_counter(*db_, "remote_misses", static_cast<double>(c.misses));
    add_counter(*db_, "remote_corrupt", static_cast<double>(c.corrupt));
    add_counter(*db_, "remote_errors", static_cast<double>(c.errors));
    add_counter(*db_, "remote_timeouts", static_cast<double>(c.timeouts));
    add_counter(*db_, "remote_uploads", static_cast<double>(c.uploads));
    add_counter(*db_, "remote_bytes_down", static_cast<double>(c.bytes_down));
    add_counter(*db_, "remote_bytes_up", static_cast<double>(c.bytes_up));
  });
}

RemoteCounters& RemoteCounters::operator+=(const RemoteCounters& o) {
  misses += o.misses;
  corrupt += o.corrupt;
  errors += o.errors;
  timeouts += o.timeouts;
  uploads += o.uploads;
  bytes_down += o.bytes_down;
  bytes_up += o.bytes_up;
  return *this;
}

bool RemoteCounters::empty() const {
  return misses == 0 && corrupt == 0 && errors == 0 && timeouts == 0 && uploads == 0 && bytes_down == 0 &&
         bytes_up == 0;
}

// --- content-hash cache ------------------------------------------------------

std::optional<std::string> Index::lookup_content_hash(const std::string& path, int64_t size, int64_t mtime_ns,
                                                      int64_t inode) {
  std::optional<std::string> out;
  with_read([&] {
    out.reset();
    Statement s(*db_,
                "SELECT hash FROM stat_hashes WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3 AND inode = ?4");
    s.bind(1, path).bind(2, size).bind(3, mtime_ns).bind(4, inode);
    if (s.step()) out = s.column_text(0);
  });
  return out;
}

void Index::store_content_hash(const std::string& path, int64_t size, int64_t mtime_ns, int64_t inode,
                               const std::string& hash) {
  int64_t t = now();
  with_write([&] {
    Statement s(*db_,
                "INSERT OR REPLACE INTO stat_hashes (path, size, mtime_ns, inode, hash, hashed_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, path).bind(2, size).bind(3, mtime_ns).bind(4, inode).bind(5, hash).bind(6, t).run();
  });
}

// --- whole index -------------------------------------------------------------

CacheStats Index::stats() {
  CacheStats st;
  with_read([&] {
    st = CacheStats{};
    Statement o(*db_,
                "SELECT count(*), coalesce(sum(size), 0), coalesce(sum(pinned OR paid), 0), "
                "coalesce(sum(paid), 0) FROM objects");
    o.step();
    st.objects = o.column_int(0);
    st.bytes = o.column_int(1);
    st.pinned = o.column_int(2);
    st.paid = o.column_int(3);
    Statement c(*db_, "SELECT count(*) FROM (SELECT DISTINCT project, cue FROM cue_builds)");
    c.step();
    st.cues = c.column_int(0);
    st.hits = static_cast<int64_t>(read_counter(*db_, "hits"));
    st.misses = static_cast<int64_t>(read_counter(*db_, "misses"));
    st.credits_spent = read_counter(*db_, "credits_spent");
    st.credits_saved = read_counter(*db_, "credits_saved");
    st.generation_seconds = read_counter(*db_, "generation_seconds");
    st.generation_seconds_saved = read_counter(*db_, "generation_seconds_saved");
    auto count = [&](const char* name) { return static_cast<int64_t>(read_counter(*db_, name)); };
    st.remote_hits = count("remote_hits");
    st.remote_credits_saved = read_counter(*db_, "remote_credits_saved");
    st.remote.misses = count("remote_misses");
    st.remote.corrupt = count("remote_corrupt");
    st.remote.errors = count("remote_errors");
    st.remote.timeouts = count("remote_timeouts");
    st.remote.uploads = count("remote_uploads");
    st.remote.bytes_down = count("remote_bytes_down");
    st.remote.bytes_up = count("remote_bytes_up");
    Statement b(*db_, std::string("SELECT ") + kBuildColumns + " FROM builds ORDER BY id DESC LIMIT 1");
    if (b.step()) st.last_build = read_build(b);
  });
  return st;
}

void Index::zero_stats() {
  with_write([&] { Statement(*db_, "UPDATE counters SET value = 0").run(); });
}

std::string Index::integrity_check() {
  std::string result;
  with_read([&] {
    result.clear();
    Statement s(*db_, "PRAGMA integrity_check");
    while (s.step()) {
      if (!result.empty()) result += "\n";
      result += s.column_text(0);
    }
  });
  return result;
}

}  // namespace foley::cache
