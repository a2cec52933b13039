#include "manifest/diagnostics.h"

#include <algorithm>
#include <map>

#include "common/error.h"
#include "common/prompt_text.h"

namespace foley::manifest {

std::string Diagnostic::str() const {
  std::string out = where.str();
  if (!out.empty()) out += ": ";
  if (!cue.empty()) out += "cue \"" + cue + "\": ";
  if (!field.empty()) out += "field \"" + field + "\": ";
  out += message;
  // Ids, keys and values quoted from the input may hold control bytes: a NUL
  // would cut the message short, an ESC or a newline garble the terminal.
  return escaped_for_message(out);
}

void Diagnostics::error(const SourceLocation& where, const std::string& cue,
                        const std::string& field, const std::string& message) {
  items_.push_back(Diagnostic{where, cue, field, message});
}

std::string Diagnostics::str() const {
  std::map<std::string, size_t> file_rank;
  for (const Diagnostic& d : items_) file_rank.emplace(d.where.file.generic_string(), file_rank.size());
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Diagnostic* a, const Diagnostic* b) {
    size_t ra = file_rank[a->where.file.generic_string()];
    size_t rb = file_rank[b->where.file.generic_string()];
    if (ra != rb) return ra < rb;
    if (a->where.line != b->where.line) return a->where.line < b->where.line;
    return a->where.col < b->where.col;
  });
  std::string out;
  std::string previous;
  for (const Diagnostic* d : sorted) {
    std::string line = d->str();
    if (line == previous) continue;
    out += line;
    out += '\n';
    previous = std::move(line);
  }
  if (!out.empty()) out.pop_back();
  return out;
}

void Diagnostics::throw_if_any() const {
  if (items_.empty()) return;
  throw Error(str());
}

}  // namespace foley::manifest
