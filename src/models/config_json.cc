#include "models/config_json.h"

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::models {

nlohmann::json read_json_object(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": missing");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
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
