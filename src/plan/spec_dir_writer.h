#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace foley::plan {

// Keeps one directory of spec packs (*.specs, request/spec_pack.h) equal to what the current plan
// wants, writing only what changed. The previous plan's result is remembered
// in <dir>/.state (one "name hash" line per file, XXH3-128 of the content), so
// a re-plan compares hashes in memory instead of reading or stat'ing every
// spec; one directory listing tells which files are really there.
//
// Crash safety: the state is removed before the first file is written and
// saved again by finish(), so a plan killed in between leaves no state and
// the next plan rewrites every spec instead of trusting stale hashes. Specs
// themselves are written atomically (temp file + rename).
// XXH3-128 hex of a spec's content: what the state remembers.
std::string spec_hash(std::string_view content);

class SpecDirWriter {
 public:
  // Reads the state and lists the directory (which may not exist yet).
  explicit SpecDirWriter(std::filesystem::path dir);

  // Makes dir/name hold `content`; skips the write when the state says the
  // listed file already holds it.
  void write(const std::string& name, std::string_view content);
  // The same with the content's hash (spec_hash) already computed, e.g. on
  // another thread.
  void write(const std::string& name, std::string_view content, std::string hash);

  // Removes every *.specs and *.json file (orphaned temp files and the old
  // one-file-per-spec layout included) that write() did
  // not name, then saves the state. Call once, after the last write().
  void finish();

  // Files written (not skipped) and removed so far: for tests and logs.
  size_t written() const { return written_; }
  size_t removed() const { return removed_; }

 private:
  void invalidate_state();

  std::filesystem::path dir_;
  std::string previous_text_;                              // the state as read
  std::unordered_map<std::string, std::string> previous_;  // name -> content hash
  std::unordered_set<std::string> listed_;                 // *.json names in dir_ now
  std::vector<std::pair<std::string, std::string>> current_;
  std::unordered_set<std::string> current_names_;
  bool state_valid_ = false;
  size_t written_ = 0;
  size_t removed_ = 0;
};

}  // namespace foley::plan
