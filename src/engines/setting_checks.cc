#include "engines/setting_checks.h"

#include <charconv>
#include <cmath>

#include "common/suggest.h"

namespace foley::engines {
namespace fs = std::filesystem;

std::string format_setting_number(double v) {
  // The shortest text that reads back as the same double ("30", "1.0000001").
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

SettingCheck number_range(double lo, bool lo_inclusive, double hi, bool hi_inclusive) {
  return [=](nlohmann::json& value, const fs::path&) -> std::string {
    double v = value.get<double>();
    bool ok = std::isfinite(v) && (lo_inclusive ? v >= lo : v > lo) && (hi_inclusive ? v <= hi : v < hi);
    if (ok) return "";
    std::string text = "must be " + std::string(lo_inclusive ? "≥ " : "> ") + format_setting_number(lo);
    if (std::isfinite(hi)) text += " and " + std::string(hi_inclusive ? "≤ " : "< ") + format_setting_number(hi);
    return text + ", got " + format_setting_number(v);
  };
}

SettingCheck at_least(double lo) { return number_range(lo, true, INFINITY, false); }
SettingCheck positive() { return number_range(0, false, INFINITY, false); }

SettingCheck one_of_values(std::vector<std::string> allowed) {
  return [allowed](nlohmann::json& value, const fs::path&) -> std::string {
    std::string v = value.get<std::string>();
    for (const std::string& a : allowed)
      if (v == a) return "";
    return "`" + v + "` is not one of " + one_of(allowed) + did_you_mean(v, allowed);
  };
}

SettingCheck non_empty() {
  return [](nlohmann::json& value, const fs::path&) -> std::string {
    return value.get<std::string>().empty() ? "must not be empty" : "";
  };
}

namespace {
fs::path resolve(const std::string& path, const fs::path& root) {
  fs::path p(path);
  if (p.is_relative() && !root.empty()) p = root / p;
  return p.lexically_normal();
}
}  // namespace

SettingCheck absolute_path() {
  return [](nlohmann::json& value, const fs::path& root) -> std::string {
    if (value.get<std::string>().empty()) return "must not be empty";
    value = resolve(value.get<std::string>(), root).string();
    return "";
  };
}

SettingCheck existing_directory(const std::string& what) {
  return [what](nlohmann::json& value, const fs::path& root) -> std::string {
    std::string written = value.get<std::string>();
    if (written.empty()) return "must not be empty";
    fs::path p = resolve(written, root);
    std::error_code ec;
    if (!fs::is_directory(p, ec))
      return what + " `" + written + "` does not exist or is not a directory (looked at " + p.string() + ")";
    value = p.string();
    return "";
  };
}

std::string check_setting_type(SettingType type, nlohmann::json& value) {
  switch (type) {
    case SettingType::kString:
      return value.is_string() ? "" : "expected a string";
    case SettingType::kBool:
      return value.is_boolean() ? "" : "expected true or false";
    case SettingType::kInteger:
      return value.is_number_integer() ? "" : "expected an integer";
    case SettingType::kNumber:
      if (!value.is_number()) return "expected a number";
      value = value.get<double>();
      return "";
    case SettingType::kStringArray:
      if (!value.is_array()) return "expected an array of strings";
      for (const nlohmann::json& element : value)
        if (!element.is_string()) return "expected an array of strings";
      return "";
  }
  return "";
}

std::string setting_value_problem(const EngineRow& row, const std::string& name, nlohmann::json value) {
  for (const SettingSpec& spec : row.settings) {
    if (spec.name != name) continue;
    std::string problem = check_setting_type(spec.type, value);
    if (problem.empty() && spec.check) problem = spec.check(value, fs::path());
    return problem;
  }
  return "is no setting of engine `" + row.name + "`";
}

std::vector<std::string> settings_problems(const EngineRow& row, const nlohmann::json& settings) {
  std::vector<std::string> problems;
  if (!settings.is_object()) return {"settings must be an object"};
  for (const SettingSpec& spec : row.settings) {
    auto it = settings.find(spec.name);
    if (it == settings.end()) {
      if (spec.required) problems.push_back(spec.name + ": required by engine `" + row.name + "` but missing");
      continue;
    }
    // Paths were made absolute when the profile was validated.
    std::string problem = setting_value_problem(row, spec.name, *it);
    if (!problem.empty()) problems.push_back(spec.name + ": " + problem);
  }
  return problems;
}

SettingSpec rank_model_setting() {
  return {"rank_model", SettingType::kString, nullptr, false, absolute_path(),
          [](nlohmann::json& value, const fs::path& root) -> std::string {
            return existing_directory("CLAP folder")(value, root);
          }};
}

std::optional<std::filesystem::path> rank_model_of(const nlohmann::json& settings) {
  auto it = settings.find("rank_model");
  if (it == settings.end() || !it->is_string()) return std::nullopt;
  return std::filesystem::path(it->get<std::string>());
}

}  // namespace foley::engines
