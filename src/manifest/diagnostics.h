#pragma once

#include <string>
#include <vector>

#include "manifest/source_location.h"

namespace foley::manifest {

// One problem found in foley.toml or a manifest.
struct Diagnostic {
  SourceLocation where;   // file relative to the project root when inside it
  std::string cue;        // cue id, empty when the problem is not about one cue
  std::string field;      // field name ("duration", "engines.synth.steps"), may be empty
  std::string message;

  // `file:line:col: cue "id": field "x": message` (absent parts left out).
  std::string str() const;
};

// Collects every problem of every file so that a user sees them all at once,
// instead of fixing one error per run.
class Diagnostics {
 public:
  void error(const SourceLocation& where, const std::string& cue, const std::string& field,
             const std::string& message);

  // Adds every diagnostic of `other`, in its order.
  void append(const Diagnostics& other) { items_.insert(items_.end(), other.items_.begin(), other.items_.end()); }

  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // All diagnostics, one per line, ordered by file (in the order files were
  // first reported), then line and column; identical lines are merged.
  std::string str() const;

  // Throws foley::Error (kInput) with str() when anything was reported.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace foley::manifest
