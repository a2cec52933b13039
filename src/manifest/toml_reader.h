#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "manifest/diagnostics.h"
#include "manifest/source_location.h"

namespace foley::manifest {

// Parses TOML text. On a syntax error reports toml++'s description and
// position (in `display_file`) to `diags` and returns nothing.
std::optional<toml::table> parse_toml(std::string_view text, const std::filesystem::path& display_file,
                                      Diagnostics& diags);

// Where a node or key starts, in `file`.
SourceLocation location_of(const toml::node& node, const std::filesystem::path& file);
SourceLocation location_of(const toml::key& key, const std::filesystem::path& file);

// "a string", "an integer", ... for "expected X, got Y" messages.
std::string toml_type_name(const toml::node& node);

// A TOML value as JSON (strings, integers, floats, booleans, arrays, tables).
// Nothing for date/time values, which foley never accepts.
std::optional<nlohmann::json> toml_to_json(const toml::node& node);

}  // namespace foley::manifest
