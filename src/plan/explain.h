#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foley::plan {

// One field that differs between what a cue was last built from and what it
// is now. `name` is dotted for render settings ("render.loudness"); a field
// that only one side has shows null on the other.
struct FieldChange {
  std::string name;
  nlohmann::json before;
  nlohmann::json after;
};

// Field-level difference of two PlannedCue::fields objects ({"gen":…, "render":…}).
// Gen fields are reported by their plain name ("prompt", "seed"), render fields
// as "render.<name>". Empty when nothing differs.
std::vector<FieldChange> diff_fields(const nlohmann::json& before, const nlohmann::json& after);

// "prompt, render.loudness" — the short form used by `foley status`.
std::string change_summary(const std::vector<FieldChange>& changes);

// A value as shown to a user: strings quoted, numbers shortest, null as "(none)".
std::string display_value(const nlohmann::json& value);

}  // namespace foley::plan
