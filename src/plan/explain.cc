#include "plan/explain.h"

#include <set>

namespace foley::plan {
namespace {

void diff_section(const nlohmann::json& before, const nlohmann::json& after, const std::string& prefix,
                  std::vector<FieldChange>& out) {
  static const nlohmann::json kNull;
  const nlohmann::json& b = before.is_object() ? before : kNull;
  const nlohmann::json& a = after.is_object() ? after : kNull;
  std::set<std::string> names;
  if (b.is_object())
    for (auto it = b.begin(); it != b.end(); ++it) names.insert(it.key());
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it) names.insert(it.key());
  for (const auto& n : names) {
    nlohmann::json bv = b.is_object() && b.contains(n) ? b[n] : nlohmann::json();
    nlohmann::json av = a.is_object() && a.contains(n) ? a[n] : nlohmann::json();
    if (bv != av) out.push_back({prefix + n, bv, av});
  }
}

}  // namespace

std::vector<FieldChange> diff_fields(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<FieldChange> out;
  auto section = [](const nlohmann::json& j, const char* name) {
    return j.is_object() && j.contains(name) ? j[name] : nlohmann::json();
  };
  diff_section(section(before, "gen"), section(after, "gen"), "", out);
  diff_section(section(before, "render"), section(after, "render"), "render.", out);
  return out;
}

std::string change_summary(const std::vector<FieldChange>& changes) {
  std::string s;
  for (const auto& c : changes) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

std::string display_value(const nlohmann::json& value) {
  if (value.is_null()) return "(none)";
  return value.dump();
}

}  // namespace foley::plan
