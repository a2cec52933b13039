#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace foley::models {

// Parses JSON as Python's json module writes it: standard JSON plus the
// literals NaN, Infinity and -Infinity (as doubles). Throws
// nlohmann::json::exception on a syntax error.
nlohmann::json parse_python_json(const std::string& text);

// Reads and parses (as parse_python_json) a config.json-style file. Throws foley::Error naming the
// path when it is missing, unreadable or not a JSON object.
nlohmann::json read_json_object(const std::filesystem::path& path);

// Typed access to one key of a config object, with the file named in errors.
// Keys absent or null take `fallback` (transformers' defaults); a present key
// of the wrong type is an error naming file and key.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& object, std::string source) : object_(object), source_(std::move(source)) {}

  int64_t integer(const std::string& key, int64_t fallback) const;
  double number(const std::string& key, double fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  bool has(const std::string& key) const;
  const std::string& source() const { return source_; }

  // Throws foley::Error "<source>: <key> = <value>: <why>".
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;
  // Checks value > 0 (every size in these configs).
  int64_t positive(const std::string& key, int64_t fallback) const;

 private:
  const nlohmann::json& object_;
  std::string source_;
};

}  // namespace foley::models
