#include "manifest/toml_reader.h"

#include "manifest/toml_guard.h"

namespace foley::manifest {
namespace {

SourceLocation from_region(const toml::source_region& region, const std::filesystem::path& file) {
  return SourceLocation{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::optional<nlohmann::json> to_json(const toml::node& node, int depth) {
  // toml++ bounds nesting itself; the guard keeps this function safe on its own.
  if (depth > 64) return std::nullopt;
  switch (node.type()) {
    case toml::node_type::string: return nlohmann::json(node.as_string()->get());
    case toml::node_type::integer: return nlohmann::json(node.as_integer()->get());
    case toml::node_type::floating_point: return nlohmann::json(node.as_floating_point()->get());
    case toml::node_type::boolean: return nlohmann::json(node.as_boolean()->get());
    case toml::node_type::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const toml::node& element : *node.as_array()) {
        std::optional<nlohmann::json> value = to_json(element, depth + 1);
        if (!value) return std::nullopt;
        out.push_back(std::move(*value));
      }
      return out;
    }
    case toml::node_type::table: {
      nlohmann::json out = nlohmann::json::object();
      for (auto&& [key, value] : *node.as_table()) {
        std::optional<nlohmann::json> converted = to_json(value, depth + 1);
        if (!converted) return std::nullopt;
        out[std::string(key.str())] = std::move(*converted);
      }
      return out;
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<toml::table> parse_toml(std::string_view text, const std::filesystem::path& display_file,
                                      Diagnostics& diags) {
  // A UTF-8 byte order mark (editors on Windows write one) is no TOML, and
  // no content either.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (std::optional<GuardProblem> problem = find_unsafe_non_ascii(text)) {
    diags.error(SourceLocation{display_file, problem->line, problem->col}, "", "",
                "TOML syntax error: " + problem->message);
    return std::nullopt;
  }
  try {
    return toml::parse(text, display_file.generic_string());
  } catch (const toml::parse_error& e) {
    diags.error(from_region(e.source(), display_file), "", "",
                "TOML syntax error: " + std::string(e.description()));
    return std::nullopt;
  }
}

SourceLocation location_of(const toml::node& node, const std::filesystem::path& file) {
  return from_region(node.source(), file);
}

SourceLocation location_of(const toml::key& key, const std::filesystem::path& file) {
  return from_region(key.source(), file);
}

std::string toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::optional<nlohmann::json> toml_to_json(const toml::node& node) { return to_json(node, 0); }

}  // namespace foley::manifest
