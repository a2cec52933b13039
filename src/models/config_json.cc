#include "models/config_json.h"

#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::models {

namespace {

// Python's json module writes the non-standard literals NaN, Infinity and
// -Infinity (diffusers saves "lambda_min_clipped": -Infinity in every
// DPM-Solver config), which nlohmann::json rejects. Outside string literals
// they are rewritten as marker strings (a control character cannot appear
// unescaped in a JSON string, so no real value collides), parsed, and the
// markers turned back into doubles.
constexpr char kMarker = '\x01';

std::string mark_python_literals(const std::string& text) {
  static const std::pair<std::string_view, std::string_view> kLiterals[] = {
      {"-Infinity", "\"\\u0001-Infinity\""}, {"Infinity", "\"\\u0001Infinity\""}, {"NaN", "\"\\u0001NaN\""}};
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const auto& [literal, marker] : kLiterals) {
      if (text.compare(i, literal.size(), literal) == 0) {
        out += marker;
        i += literal.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

void unmark_python_literals(nlohmann::json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s.empty() || s[0] != kMarker) return;
    if (s == "\x01NaN") j = std::numeric_limits<double>::quiet_NaN();
    else if (s == "\x01Infinity") j = std::numeric_limits<double>::infinity();
    else if (s == "\x01-Infinity") j = -std::numeric_limits<double>::infinity();
  } else if (j.is_structured()) {
    for (auto& v : j) unmark_python_literals(v);
  }
}

}  // namespace

nlohmann::json parse_python_json(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(mark_python_literals(text));
  unmark_python_literals(j);
  return j;
}

nlohmann::json read_json_object(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": missing");
  nlohmann::json j;
  try {
    j = parse_python_json(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(path.string() + ": expected a JSON object");
  return j;
}

bool ConfigReader::has(const std::string& key) const {
  return object_.contains(key) && !object_.at(key).is_null();
}

void ConfigReader::fail(const std::string& key, const std::string& why) const {
  std::string value = object_.contains(key) ? object_.at(key).dump() : "(absent)";
  // dump() writes NaN and infinities as null; name them as the file spells them.
  if (object_.contains(key) && object_.at(key).is_number_float() && !std::isfinite(object_.at(key).get<double>())) {
    const double v = object_.at(key).get<double>();
    value = std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
  }
  throw Error(source_ + ": " + key + " = " + value + ": " + why);
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) const {
  if (!has(key)) return fallback;
  const auto& v = object_.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
    return static_cast<int64_t>(v.get<double>());
  fail(key, "expected an integer");
}

double ConfigReader::number(const std::string& key, double fallback) const {
  if (!has(key)) return fallback;
  const auto& v = object_.at(key);
  if (!v.is_number()) fail(key, "expected a number");
  return v.get<double>();
}

bool ConfigReader::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = object_.at(key);
  if (!v.is_boolean()) fail(key, "expected true or false");
  return v.get<bool>();
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const auto& v = object_.at(key);
  if (!v.is_string()) fail(key, "expected a string");
  return v.get<std::string>();
}

int64_t ConfigReader::positive(const std::string& key, int64_t fallback) const {
  int64_t v = integer(key, fallback);
  if (v <= 0) fail(key, "must be positive");
  return v;
}

}  // namespace foley::models
