#include "engines/catalog.h"

#include <cmath>
#include <map>
#include <mutex>

#include "common/error.h"
#include "common/suggest.h"
#include "engines/builtin_rows.h"
#include "engines/setting_checks.h"

namespace foley::engines {
namespace {

struct Catalog {
  std::mutex mu;
  std::vector<std::unique_ptr<EngineRow>> rows;  // stable addresses: callers keep pointers

  Catalog() {
    for (EngineRow& row : builtin_rows()) rows.push_back(std::make_unique<EngineRow>(std::move(row)));
  }
};

Catalog& catalog() {
  static Catalog* c = new Catalog;  // never destroyed: rows may be read while exiting
  return *c;
}

}  // namespace

bool DurationRule::accepts(double seconds) const {
  if (!std::isfinite(seconds)) return false;
  bool above = min_inclusive ? seconds >= min : seconds > min;
  return above && seconds <= max;
}

std::string DurationRule::describe() const {
  return format_setting_number(min) + (min_inclusive ? " ≤ " : " < ") + "duration ≤ " + format_setting_number(max) +
         " s";
}

const EngineRow* find_engine(std::string_view name) {
  Catalog& c = catalog();
  std::lock_guard<std::mutex> lock(c.mu);
  for (const auto& row : c.rows)
    if (row->name == name) return row.get();
  return nullptr;
}

const EngineRow& engine_row(std::string_view name) {
  if (const EngineRow* row = find_engine(name)) return *row;
  std::vector<std::string> names = engine_names();
  throw Error("unknown engine `" + std::string(name) + "`" + did_you_mean(name, names) + "; expected " +
              one_of(names));
}

std::vector<std::string> engine_names() {
  Catalog& c = catalog();
  std::lock_guard<std::mutex> lock(c.mu);
  std::vector<std::string> names;
  for (const auto& row : c.rows) names.push_back(row->name);
  return names;
}

void add_engine_row(EngineRow row) {
  Catalog& c = catalog();
  std::lock_guard<std::mutex> lock(c.mu);
  for (auto& existing : c.rows)
    if (existing->name == row.name) {
      *existing = std::move(row);
      return;
    }
  c.rows.push_back(std::make_unique<EngineRow>(std::move(row)));
}

}  // namespace foley::engines
