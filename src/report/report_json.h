#pragma once

#include <nlohmann/json.hpp>

#include "report/report_model.h"

namespace foley::report {

// The report's data for other tools (a DAW import script, a spreadsheet):
// {"project", "foley_version", "generated_at", "summary", "manifests": [{"name",
// "cues": [...]}]}; absent values are null. docs/report.md lists every field.
nlohmann::json report_json(const Report& report);

}  // namespace foley::report
