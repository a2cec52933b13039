#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace foley::cache {

// Thrown by Statement/Database when SQLite reports SQLITE_BUSY or SQLITE_LOCKED
// after its own busy timeout; Index catches it and retries the whole
// transaction, so it never escapes the cache module.
struct BusyError {
  std::string message;
};

// SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged. A foley::Error
// (failure), so whoever does not recover from it reports it; Index recovers
// (moves the file aside and rebuilds from the object records).
class DamagedError : public Error {
 public:
  explicit DamagedError(const std::string& message) : Error(message, Kind::kFailure) {}
};

// One connection to an SQLite file. Owns the handle; not thread-safe (one per
// process or thread, like the rest of foley).
class Database {
 public:
  // Opens (creating when missing) the database at `path`. Throws foley::Error.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements without results. Throws BusyError on
  // SQLITE_BUSY/LOCKED, foley::Error (failure) on anything else.
  void exec(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const;

  // Throws the right error for an SQLite result code `rc` with `what` as context.
  [[noreturn]] void raise(int rc, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement, finalized on destruction. Bind indexes start at 1.
// step() returns true while there is a row; column getters read that row.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);

  // Advances to the next row: true when a row is available, false when done.
  // Throws BusyError on SQLITE_BUSY/LOCKED, foley::Error otherwise.
  bool step();
  // Steps until done (for statements without results).
  void run();
  // Rewinds the statement and clears its bindings for reuse.
  void reset();

  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  bool column_is_null(int col) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace foley::cache
