#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace foley::cache {

class Index;
class ObjectStore;

// One problem found by verify().
struct VerifyIssue {
  enum class Kind {
    kTruncated,         // file shorter than the index says
    kSizeMismatch,      // file longer than the index says
    kChecksumMismatch,  // right size, wrong bytes
    kMissing,           // indexed, but no file
  };
  Kind kind = Kind::kChecksumMismatch;
  std::string gen_key;
  std::string ext;
  std::filesystem::path path;
  int64_t expected_size = 0;
  int64_t actual_size = 0;
  bool paid = false;
  double credits = 0.0;
  std::filesystem::path quarantined_to;  // empty unless repaired
  bool row_removed = false;

  // One line for a person, e.g. "paid object 1f…: checksum mismatch; moved to
  // <cache>/quarantine/…; regenerating will cost 120 credits".
  std::string message() const;
};

struct VerifyOptions {
  // Move corrupt objects to quarantine/ and remove their index rows (and the
  // rows of missing objects) so the next build regenerates them. false: report only.
  bool repair = true;
};

struct VerifyReport {
  int64_t checked = 0;                         // indexed objects examined
  int64_t ok = 0;
  std::vector<VerifyIssue> issues;             // corrupt, truncated, missing
  std::vector<std::filesystem::path> unknown;  // object files the index does not know
  std::vector<std::filesystem::path> foreign;  // files under objects/ that are not objects

  bool clean() const { return issues.empty() && unknown.empty(); }
  // Credits it would cost to regenerate the paid objects found corrupt or missing.
  double paid_credits_lost() const;
  // A multi-line human summary (counts, then one line per issue).
  std::string summary() const;
};

// Recomputes the XXH3-128 of every indexed object and compares it (and the
// size) with the index; reports objects on disk unknown to the index. With
// options.repair, damaged objects go to <cache>/quarantine/ and their rows are
// removed. Throws foley::Error only when the cache cannot be read at all.
VerifyReport verify(Index& index, const ObjectStore& store, const VerifyOptions& options = {});

}  // namespace foley::cache
