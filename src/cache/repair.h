#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace foley::cache {

// What `foley cache repair` found and did.
struct RepairReport {
  bool index_damaged = false;                    // it could not be opened or failed its integrity check
  std::vector<std::filesystem::path> moved_aside;  // the damaged index files, renamed, never deleted
  int already_known = 0;                         // objects the index still knew
  int from_records = 0;                          // adopted from their record (cache/object_meta.h)
  int without_record = 0;                        // adopted from their bytes alone, pinned to be safe
  int paid = 0;                                  // of the adopted, paid ones (still protected)
  double credits = 0;                            // what the adopted paid objects cost
  std::vector<std::string> damaged;              // objects whose bytes do not match their record: not adopted
  int unusable_answers = 0;                      // paid but unusable answers re-recorded from quarantine
  double unusable_credits = 0;                   // what they cost

  std::string summary() const;
};

// Rebuilds the index of `cache_dir` from the objects on disk. A damaged index
// (unopenable, or failing SQLite's integrity check) is moved aside first, with
// its WAL and shared-memory files. Every object the index does not know is
// adopted from its record when the record matches its bytes (provenance,
// credits, pins and paid flags come back), else from its bytes, pinned (its
// provenance is unknown, so nothing may treat it as replaceable).
RepairReport repair_index(const std::filesystem::path& cache_dir);

class Index;
// The adoption step of repair_index on an open, healthy index: every object on
// disk it does not know, from its record or its bytes, then the kept answers.
// Fills the counts of `report`.
void adopt_objects_on_disk(Index& index, RepairReport& report);
// Records in the ledger every paid but unusable answer kept under
// quarantine/unusable that the index does not list (cache/kept_answers.h).
void adopt_kept_answers(Index& index, RepairReport& report);
// Renames index.sqlite and its -wal/-shm files to *.damaged-<time>; returns the new names.
std::vector<std::filesystem::path> move_index_aside(const std::filesystem::path& cache_dir);

}  // namespace foley::cache
