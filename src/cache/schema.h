#pragma once

#include "cache/sqlite_db.h"

namespace foley::cache {

// The schema version this binary writes. Equal to the number of migrations:
// migration i (0-based) brings an index from version i to version i + 1.
int current_schema_version();

// The version stored in the index's `meta` row, 0 for a fresh (empty) file.
// Throws foley::Error when the row is unreadable.
int read_schema_version(Database& db);

// Brings `db` from `from_version` to current_schema_version() by applying the
// forward migrations in order and updating the version row. Must run inside a
// write transaction (Index holds BEGIN IMMEDIATE). Throws foley::Error (bad
// input) when `from_version` is newer than this binary understands.
void migrate(Database& db, int from_version);

}  // namespace foley::cache
