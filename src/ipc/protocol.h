#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "request/request_spec.h"
#include "request/result.h"

namespace foley::ipc {

// The resident model server speaks newline-delimited JSON over its Unix
// socket, one request per connection:
//
//   client → {"op":"generate","request":<GenRequest>,"out_path":P,"idle_timeout":S}
//   server → {"accepted":true,"pid":N}            (queued; anything after it is this request's)
//            {"temp":T}                            (the temp file it writes; removable if it dies)
//            {"progress":F,"what":"step 3/20"}     (zero or more)
//            {"result":<GenerationResult>} | {"error":M,"kind":"input"|"failure"|"cancelled"}
//   client → {"op":"call","spec":S,"origin":O,"build_id":N,"env_key":K[,"remote":R,"remote_env":E]}
//            {"op":"prefetch","pool":P,"depth":D,"calls":[{"spec","origin"}...],"build_id":N,"env_key":K}
//   server → {"accepted":true,"pid":N}
//            {"done":{...}}                        (server/api_calls.h) | {"error":M,"kind":..}
//   client → {"op":"status"}  server → {"status":{...}}
//   client → {"op":"stop"}    server → {"stopping":true}
//
// Closing the connection before the final line cancels the request. A farm's
// server (TCP) first has the client prove it knows the farm's secret: the
// handshake in ipc/farm_auth.h precedes the request.
inline constexpr int kProtocolVersion = 1;

// The API key's environment variable: never in a started server's environment,
// sent with each call ("env_key") as the caller has it.
inline constexpr const char* kApiKeyVariable = "ELEVENLABS_API_KEY";

// One JSON value and its '\n'.
std::string protocol_line(const nlohmann::json& message);

nlohmann::json result_to_json(const GenerationResult& result);
GenerationResult result_from_json(const nlohmann::json& j);

// {"error":..,"kind":..} for an exception caught while serving.
nlohmann::json error_message(const std::exception& e);

// Rethrows an error message received from the server as the foley::Error it
// was (input → exit 2, failure → exit 1).
[[noreturn]] void throw_server_error(const nlohmann::json& message);

}  // namespace foley::ipc
