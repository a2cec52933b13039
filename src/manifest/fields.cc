#include "manifest/fields.h"

#include <algorithm>

#include "common/suggest.h"
#include "manifest/toml_reader.h"

namespace foley::manifest {
namespace {

// Every field, in documentation order. The render settings come last so that
// the kRender names are a suffix of the list.
#define FOLEY_CUE_FIELDS(X)                                                                    \
  X(type) X(category) X(prompt) X(negative_prompt) X(duration) X(engine) X(seed)               \
  X(prompt_influence) X(loop) X(takes) X(source) X(clip) X(tags) X(fx_name) X(sample_rate) X(bit_depth)         \
  X(format) X(bitrate) X(quality) X(channels) X(loudness) X(loudness_measure) X(true_peak) X(highpass)          \
  X(gain_db) X(fade_in) X(fade_out) X(naming) X(creator_id) X(source_id)

// Calls f(name, field) for every field of `r`.
template <typename Fields, typename F>
void for_each_field(Fields& r, F&& f) {
#define FOLEY_VISIT(name) f(#name, r.name);
  FOLEY_CUE_FIELDS(FOLEY_VISIT)
#undef FOLEY_VISIT
}

constexpr size_t kRenderFieldCount = 16;

// Typed readers: return an error message ("expected ...") or "" when read.
std::string read_value(const toml::node& node, std::optional<std::string>& out) {
  if (!node.is_string()) return "expected a string, got " + toml_type_name(node);
  out = node.as_string()->get();
  return "";
}

std::string read_value(const toml::node& node, std::optional<double>& out) {
  if (node.is_floating_point()) {
    out = node.as_floating_point()->get();
  } else if (node.is_integer()) {
    out = static_cast<double>(node.as_integer()->get());
  } else {
    return "expected a number, got " + toml_type_name(node);
  }
  return "";
}

std::string read_value(const toml::node& node, std::optional<NumberOrName>& out) {
  NumberOrName v;
  if (node.is_string()) {
    v.name = node.as_string()->get();
  } else if (node.is_floating_point()) {
    v.number = node.as_floating_point()->get();
  } else if (node.is_integer()) {
    v.number = static_cast<double>(node.as_integer()->get());
  } else {
    return "expected a number or a string, got " + toml_type_name(node);
  }
  out = std::move(v);
  return "";
}

std::string read_value(const toml::node& node, std::optional<long long>& out) {
  if (!node.is_integer()) return "expected an integer, got " + toml_type_name(node);
  out = node.as_integer()->get();
  return "";
}

std::string read_value(const toml::node& node, std::optional<bool>& out) {
  if (!node.is_boolean()) return "expected true or false, got " + toml_type_name(node);
  out = node.as_boolean()->get();
  return "";
}

std::string read_value(const toml::node& node, std::optional<std::vector<std::string>>& out) {
  if (!node.is_array()) return "expected an array of strings, got " + toml_type_name(node);
  std::vector<std::string> values;
  size_t index = 0;
  for (const toml::node& element : *node.as_array()) {
    if (!element.is_string()) {
      return "expected an array of strings, element " + std::to_string(index) + " is " +
             toml_type_name(element);
    }
    values.push_back(element.as_string()->get());
    ++index;
  }
  out = std::move(values);
  return "";
}

}  // namespace

const std::vector<std::string>& field_names(FieldScope scope) {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> names;
    RawFields r;
    for_each_field(r, [&](const char* name, auto&) { names.push_back(name); });
    return names;
  }();
  static const std::vector<std::string> render(all.end() - kRenderFieldCount, all.end());
  return scope == FieldScope::kRender ? render : all;
}

void read_fields(const toml::table& table, FieldScope scope, const FieldContext& ctx, RawFields& out,
                 Diagnostics& diags) {
  const std::vector<std::string>& allowed = field_names(scope);
  for (auto&& entry : table) {
    const toml::key& key = entry.first;
    const toml::node& node = entry.second;
    std::string name(key.str());
    std::string field = ctx.prefix + name;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message = "unknown field" + did_you_mean(name, allowed);
      if (scope == FieldScope::kRender) {
        const std::vector<std::string>& every = field_names(FieldScope::kCue);
        if (std::find(every.begin(), every.end(), name) != every.end()) {
          message = "not a render setting (set it per cue or in a manifest's [defaults])";
        }
      }
      diags.error(location_of(key, ctx.file), ctx.cue, field, message);
      continue;
    }
    for_each_field(out, [&](const char* candidate, auto& f) {
      if (name != candidate) return;
      f.where = location_of(node, ctx.file);
      std::string problem = read_value(node, f.value);
      if (!problem.empty()) {
        f.bad = true;
        diags.error(f.where, ctx.cue, field, problem);
      }
    });
  }
}

void overlay(RawFields& base, const RawFields& over) {
#define FOLEY_OVERLAY(name) \
  if (over.name.present()) base.name = over.name;
  FOLEY_CUE_FIELDS(FOLEY_OVERLAY)
#undef FOLEY_OVERLAY
}

void collect_locations(const RawFields& fields, std::map<std::string, SourceLocation>& where) {
  for_each_field(fields, [&](const char* name, const auto& f) {
    if (f.present()) where[name] = f.where;
  });
}

}  // namespace foley::manifest
