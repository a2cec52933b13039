#include "ipc/protocol.h"

#include "common/error.h"

namespace foley::ipc {

std::string protocol_line(const nlohmann::json& message) {
  // Invalid UTF-8 in a message (a prompt from a broken manifest) must not throw here.
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

nlohmann::json result_to_json(const GenerationResult& r) {
  return {{"duration_seconds", r.duration_seconds}, {"generation_seconds", r.generation_seconds},
          {"details", r.details.is_null() ? nlohmann::json::object() : r.details}};
}

GenerationResult result_from_json(const nlohmann::json& j) {
  GenerationResult r;
  if (!j.is_object()) throw Error::failure("resident server: malformed result " + j.dump());
  r.duration_seconds = j.value("duration_seconds", 0.0);
  r.generation_seconds = j.value("generation_seconds", 0.0);
  r.details = j.value("details", nlohmann::json::object());
  return r;
}

nlohmann::json error_message(const std::exception& e) {
  std::string kind = "failure";
  if (dynamic_cast<const GenerationCancelled*>(&e) != nullptr) {
    kind = "cancelled";
  } else if (const auto* fe = dynamic_cast<const Error*>(&e)) {
    kind = fe->kind() == Error::Kind::kInput ? "input" : "failure";
  }
  return {{"error", e.what()}, {"kind", kind}};
}

void throw_server_error(const nlohmann::json& message) {
  std::string text = message.value("error", std::string("unknown error"));
  std::string kind = message.value("kind", std::string("failure"));
  if (kind == "cancelled") throw GenerationCancelled();
  if (kind == "input") throw Error(text);
  throw Error::failure(text);
}

}  // namespace foley::ipc
