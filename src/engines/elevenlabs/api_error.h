#pragma once

#include <string>
#include <string_view>

namespace foley::engines {

// What an error response of the API says, from either body shape:
// {"detail": [{"loc", "msg", "type"}, ...]} (FastAPI validation) or
// {"detail": {"type", "code", "message", "status", "request_id", "param"}},
// also {"detail": "text"} and non-JSON bodies.
struct ElevenLabsApiError {
  std::string message;     // the server's words, one line; "" when the body says nothing
  std::string code;        // detail.code, else detail.status, else the first item's type
  std::string request_id;  // detail.request_id, when the body carries one
  std::string param;       // detail.param, when present
  bool quota_exceeded = false;  // detail.status or detail.code is "quota_exceeded"
};

// Parses an error body; never throws (an unparsable body becomes its first
// 300 printable characters).
ElevenLabsApiError parse_elevenlabs_api_error(std::string_view body);

}  // namespace foley::engines
