#include "cache/schema.h"

#include <array>
#include <string>

#include "common/error.h"

namespace foley::cache {
namespace {

// v1: the first schema. Times are Unix milliseconds; JSON columns hold compact
// JSON text; credits are REAL because estimates can be fractional.
void migrate_to_v1(Database& db) {
  db.exec(R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE objects (
  gen_key            TEXT PRIMARY KEY CHECK (length(gen_key) = 32),
  engine             TEXT NOT NULL,
  profile            TEXT NOT NULL DEFAULT '',
  ext                TEXT NOT NULL,
  request            TEXT NOT NULL DEFAULT '{}',
  size               INTEGER NOT NULL,
  checksum           TEXT NOT NULL,
  duration_seconds   REAL NOT NULL DEFAULT 0,
  generation_seconds REAL NOT NULL DEFAULT 0,
  credits            REAL NOT NULL DEFAULT 0,
  credits_estimated  INTEGER NOT NULL DEFAULT 0,
  request_id         TEXT NOT NULL DEFAULT '',
  attempts           INTEGER NOT NULL DEFAULT 1,
  pinned             INTEGER NOT NULL DEFAULT 0,
  paid               INTEGER NOT NULL DEFAULT 0,
  created_at         INTEGER NOT NULL,
  last_used_at       INTEGER NOT NULL,
  hit_count          INTEGER NOT NULL DEFAULT 0,
  details            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX objects_lru ON objects (last_used_at, created_at);

CREATE TABLE cue_builds (
  id         INTEGER PRIMARY KEY,
  cue        TEXT NOT NULL,
  gen_key    TEXT NOT NULL DEFAULT '',
  render_key TEXT NOT NULL,
  fields     TEXT NOT NULL DEFAULT '{}',
  built_at   INTEGER NOT NULL,
  build_id   INTEGER
);
CREATE INDEX cue_builds_by_cue ON cue_builds (cue, built_at, id);

CREATE TABLE builds (
  id                       INTEGER PRIMARY KEY,
  started_at               INTEGER NOT NULL,
  finished_at              INTEGER,
  hits                     INTEGER NOT NULL DEFAULT 0,
  misses                   INTEGER NOT NULL DEFAULT 0,
  generated                INTEGER NOT NULL DEFAULT 0,
  credits_spent            REAL NOT NULL DEFAULT 0,
  credits_saved            REAL NOT NULL DEFAULT 0,
  generation_seconds_saved REAL NOT NULL DEFAULT 0,
  exit_code                INTEGER
);

CREATE TABLE stat_hashes (
  path      TEXT PRIMARY KEY,
  size      INTEGER NOT NULL,
  mtime_ns  INTEGER NOT NULL,
  inode     INTEGER NOT NULL,
  hash      TEXT NOT NULL,
  hashed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value REAL NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES
  ('hits', 0), ('misses', 0), ('credits_spent', 0), ('credits_saved', 0),
  ('generation_seconds', 0), ('generation_seconds_saved', 0);
)sql");
}

// v2: paid answers that could not be used (cache/kept_answers.h): charged, so
// they count in the credits spent; their bytes are kept in quarantine/.
void migrate_to_v2(Database& db) {
  db.exec(R"sql(
CREATE TABLE unusable_answers (
  id                INTEGER PRIMARY KEY,
  gen_key           TEXT NOT NULL,
  engine            TEXT NOT NULL,
  profile           TEXT NOT NULL DEFAULT '',
  credits           REAL NOT NULL DEFAULT 0,
  credits_estimated INTEGER NOT NULL DEFAULT 0,
  request_id        TEXT NOT NULL DEFAULT '',
  size              INTEGER NOT NULL,
  checksum          TEXT NOT NULL,
  reason            TEXT NOT NULL,
  path              TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  build_id          INTEGER
);
CREATE INDEX unusable_answers_by_key ON unusable_answers (gen_key, id);
)sql");
}

// Several projects may share one cache folder: a cue's history belongs to its
// project (foley.toml's [project] name), so that `main:door` of one project
// never answers for another's. Rows written before have project '' and are
// read as every project's, as they always were.
void migrate_to_v3(Database& db) {
  db.exec(R"sql(
ALTER TABLE cue_builds ADD COLUMN project TEXT NOT NULL DEFAULT '';
CREATE INDEX cue_builds_by_project ON cue_builds (project, cue, built_at, id);
)sql");
}

// v4: the CLAP score of each take (an object) against its cue's prompt, per
// scoring model (its fingerprint): scores of different models are never
// compared, and a prompt shared by two cues is scored once.
void migrate_to_v4(Database& db) {
  db.exec(R"sql(
CREATE TABLE take_scores (
  gen_key   TEXT NOT NULL,
  scorer    TEXT NOT NULL,
  prompt    TEXT NOT NULL,
  score     REAL NOT NULL,
  scored_at INTEGER NOT NULL,
  PRIMARY KEY (gen_key, scorer, prompt)
) WITHOUT ROWID;
)sql");
}

// v5: the team cache's counters (cache/remote/): objects fetched and the credits
// they saved, and what else the remote did, for `foley cache stats`.
void migrate_to_v5(Database& db) {
  db.exec(R"sql(
INSERT OR IGNORE INTO counters (name, value) VALUES
  ('remote_hits', 0), ('remote_credits_saved', 0), ('remote_misses', 0), ('remote_corrupt', 0),
  ('remote_errors', 0), ('remote_timeouts', 0), ('remote_uploads', 0), ('remote_bytes_down', 0),
  ('remote_bytes_up', 0);
)sql");
}

// Appending a migration here is how the schema moves forward; never edit one
// that has shipped.
using Migration = void (*)(Database&);
constexpr std::array<Migration, 5> kMigrations = {&migrate_to_v1, &migrate_to_v2, &migrate_to_v3,
                                                  &migrate_to_v4, &migrate_to_v5};

}  // namespace

int current_schema_version() { return static_cast<int>(kMigrations.size()); }

int read_schema_version(Database& db) {
  Statement has_meta(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  has_meta.step();
  if (has_meta.column_int(0) == 0) return 0;
  Statement version(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.step()) return 0;
  std::string text = version.column_text(0);
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw Error::failure("cache index " + db.path() + ": unreadable schema_version '" + text + "'");
}

void migrate(Database& db, int from_version) {
  int target = current_schema_version();
  if (from_version > target) {
    throw Error("cache index " + db.path() + " has schema version " + std::to_string(from_version) +
                ", but this foley understands versions up to " + std::to_string(target) +
                "; use a newer foley or another cache directory");
  }
  for (int v = from_version; v < target; ++v) kMigrations[static_cast<size_t>(v)](db);
  if (from_version == target) return;
  Statement set(db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)");
  set.bind(1, std::to_string(target)).run();
}

}  // namespace foley::cache
