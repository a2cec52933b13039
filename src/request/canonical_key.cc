#include "request/canonical_key.h"

#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/hash.h"

namespace foley {
namespace {

void encode_value(std::string& out, const nlohmann::json& v, const std::string& field) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      out += 'n';
      break;
    case nlohmann::json::value_t::boolean:
      out += v.get<bool>() ? "b1" : "b0";
      break;
    case nlohmann::json::value_t::number_integer:
      out += 'i' + std::to_string(v.get<long long>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      out += 'i' + std::to_string(v.get<unsigned long long>());
      break;
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) throw Error("key field \"" + field + "\" is not a finite number");
      if (d == 0.0) d = 0.0;  // -0 and 0 are the same value
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
      out += 'f';
      out.append(buf, res.ptr);
      break;
    }
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      out += 's' + std::to_string(s.size()) + ':' + s;
      break;
    }
    case nlohmann::json::value_t::array:
      out += 'a' + std::to_string(v.size()) + ':';
      for (const auto& e : v) encode_value(out, e, field);
      break;
    default:
      throw Error("key field \"" + field + "\" has no canonical encoding");
  }
}

}  // namespace

std::string canonical_encoding(std::string_view domain, const nlohmann::json& fields) {
  if (!fields.is_object()) throw Error("key fields must be an object");
  std::string out = "foley-key/" + std::to_string(kKeySchemaVersion) + "/" + std::string(domain) + "\n";
  // nlohmann::json objects iterate in sorted key order (std::map), which is the
  // canonical field order.
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    out += it.key();
    out += '=';
    encode_value(out, it.value(), it.key());
    out += '\n';
  }
  return out;
}

std::string compute_key(std::string_view domain, const nlohmann::json& fields) {
  return xxh3_128(canonical_encoding(domain, fields)).hex();
}

}  // namespace foley
