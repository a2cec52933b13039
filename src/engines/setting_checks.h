#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engines/catalog.h"

// Checks the catalog rows attach to their settings; each returns "" or the
// problem in words a user reads after "engines.<profile>.<key>: ".
namespace foley::engines {

// lo < v (or lo ≤ v) and v ≤ hi (or v < hi); finite.
SettingCheck number_range(double lo, bool lo_inclusive, double hi, bool hi_inclusive = true);
SettingCheck at_least(double lo);
SettingCheck positive();
// One of `allowed`, with a did-you-mean.
SettingCheck one_of_values(std::vector<std::string> allowed);
SettingCheck non_empty();
// A path, made absolute against the project root.
SettingCheck absolute_path();
// An existing directory, made absolute against the project root.
SettingCheck existing_directory(const std::string& what);

// The same number in messages as the user wrote it ("0.3", "1e+308").
std::string format_setting_number(double v);

// Problems of a settings object against a row's specs (required keys,
// types, checks), as "<key>: <problem>" lines; the manifest reports them with file and
// line, an engine re-checks a request's settings with it before anything is
// spent. `settings` must hold every default (as validated profiles do).
std::vector<std::string> settings_problems(const EngineRow& row, const nlohmann::json& settings);

// The problem of one value of a row's setting `name` (type and check), or "".
std::string setting_value_problem(const EngineRow& row, const std::string& name, nlohmann::json value);

// The type check of one value; integers are accepted as numbers (and stored
// as such). Returns "" or the problem ("expected an integer").
std::string check_setting_type(SettingType type, nlohmann::json& value);

}  // namespace foley::engines
