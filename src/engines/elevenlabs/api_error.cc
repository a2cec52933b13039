#include "engines/elevenlabs/api_error.h"

#include <nlohmann/json.hpp>

namespace foley::engines {
namespace {

std::string printable(std::string_view s, size_t limit) {
  std::string out;
  for (char c : s) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return out;
}

std::string text_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  const auto& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string loc_text(const nlohmann::json& loc) {
  if (!loc.is_array()) return loc.is_string() ? loc.get<std::string>() : "";
  std::string out;
  for (const auto& part : loc) out += (out.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
  return out;
}

}  // namespace

ElevenLabsApiError parse_elevenlabs_api_error(std::string_view body) {
  ElevenLabsApiError e;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("detail")) {
    if (j.is_object() && j.contains("message")) {
      e.message = printable(text_of(j, "message"), 300);
    } else {
      e.message = printable(body, 300);
    }
    return e;
  }
  const auto& d = j.at("detail");
  if (d.is_string()) {
    e.message = printable(d.get<std::string>(), 300);
  } else if (d.is_array()) {
    std::string all;
    for (const auto& item : d) {
      if (!item.is_object()) continue;
      std::string where = loc_text(item.value("loc", nlohmann::json()));
      std::string one = (where.empty() ? "" : where + ": ") + text_of(item, "msg");
      std::string type = text_of(item, "type");
      if (!type.empty()) one += " (" + type + ")";
      if (e.code.empty()) e.code = type;
      all += (all.empty() ? "" : "; ") + one;
    }
    e.message = printable(all, 600);
  } else if (d.is_object()) {
    e.message = printable(text_of(d, "message"), 600);
    std::string code = text_of(d, "code");
    std::string status = text_of(d, "status");
    e.code = !code.empty() ? code : status;
    e.request_id = text_of(d, "request_id");
    e.param = text_of(d, "param");
    e.quota_exceeded = code == "quota_exceeded" || status == "quota_exceeded";
  }
  return e;
}

}  // namespace foley::engines
