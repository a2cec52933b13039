#include "engines/elevenlabs/elevenlabs_request.h"

#include <sstream>

#include "engines/elevenlabs/elevenlabs_format.h"
#include "common/error.h"
#include "common/log.h"

namespace foley::engines {
namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

[[noreturn]] void field_error(const std::string& context, const std::string& field, const std::string& what) {
  throw Error(context + ": field `" + field + "`: " + what);
}

}  // namespace

std::string elevenlabs_request_context(const GenRequest& request) {
  if (request.cues.empty()) return "elevenlabs request " + request.gen_key;
  std::string out = request.cues.size() == 1 ? "cue " : "cues ";
  for (size_t i = 0; i < request.cues.size(); ++i) out += (i ? ", " : "") + request.cues[i];
  return out;
}

ElevenLabsCall parse_elevenlabs_call(const GenRequest& request) {
  const std::string ctx = elevenlabs_request_context(request);
  const nlohmann::json& k = request.key_fields;
  if (!k.is_object()) throw Error(ctx + ": the request's key fields are not an object");
  ElevenLabsCall call;

  if (!k.contains("prompt") || !k.at("prompt").is_string()) field_error(ctx, "prompt", "missing or not a string");
  call.prompt = k.at("prompt").get<std::string>();
  if (call.prompt.find_first_not_of(" \t\r\n") == std::string::npos)
    field_error(ctx, "prompt", "is empty; ElevenLabs needs a description of the sound");

  if (!k.contains("duration")) field_error(ctx, "duration", "missing (give seconds, or \"auto\")");
  const auto& d = k.at("duration");
  if (d.is_string() && d.get<std::string>() == "auto") {
    call.duration_seconds.reset();
  } else if (d.is_number()) {
    double v = d.get<double>();
    if (!(v >= 0.5 && v <= 30.0))
      field_error(ctx, "duration", num(v) + " s is outside the ElevenLabs range 0.5–30 s (or use \"auto\")");
    call.duration_seconds = v;
  } else {
    field_error(ctx, "duration", "must be a number of seconds or \"auto\"");
  }

  if (k.contains("prompt_influence")) {
    const auto& p = k.at("prompt_influence");
    if (!p.is_number()) field_error(ctx, "prompt_influence", "must be a number from 0 to 1");
    call.prompt_influence = p.get<double>();
    if (!(call.prompt_influence >= 0.0 && call.prompt_influence <= 1.0))
      field_error(ctx, "prompt_influence", num(call.prompt_influence) + " is outside 0–1");
  }
  if (k.contains("loop")) {
    if (!k.at("loop").is_boolean()) field_error(ctx, "loop", "must be true or false");
    call.loop = k.at("loop").get<bool>();
  }
  if (k.contains("model_id")) {
    if (!k.at("model_id").is_string() || k.at("model_id").get<std::string>().empty())
      field_error(ctx, "model_id", "must be a non-empty string");
    call.model_id = k.at("model_id").get<std::string>();
  }
  if (k.contains("output_format")) {
    if (!k.at("output_format").is_string()) field_error(ctx, "output_format", "must be a string");
    call.output_format = k.at("output_format").get<std::string>();
  }
  if (!is_elevenlabs_output_format(call.output_format)) {
    std::string all;
    for (const auto& f : elevenlabs_output_formats()) all += (all.empty() ? "" : ", ") + f;
    field_error(ctx, "output_format", "\"" + call.output_format + "\" is not allowed; use one of " + all);
  }
  // The object's name must say what it holds (WAV for raw formats, ...).
  if (!request.ext.empty() && request.ext != elevenlabs_object_ext(call.output_format))
    field_error(ctx, "output_format",
                call.output_format + " is stored as ." + elevenlabs_object_ext(call.output_format) +
                    " but the request names a ." + request.ext + " object");
  return call;
}

std::string warn_elevenlabs_tier(const ElevenLabsCall& call, const std::string& tier, const std::string& context) {
  std::string warning;
  auto have = parse_elevenlabs_tier(tier);
  ElevenLabsTier need = elevenlabs_required_tier(call.output_format);
  if (!have) {
    warning = context + ": unknown ElevenLabs tier \"" + tier +
              "\" (free, starter, creator, pro, scale, business); output_format " + call.output_format +
              " needs " + elevenlabs_tier_name(need) + " or higher";
    if (need == ElevenLabsTier::kFree) warning.clear();
  } else if (*have < need) {
    warning = context + ": field `output_format`: " + call.output_format + " needs the " +
              elevenlabs_tier_name(need) + " tier or higher, and the profile says " + elevenlabs_tier_name(*have) +
              "; the API may refuse it";
  }
  if (!warning.empty()) log_warning(warning);
  return warning;
}

nlohmann::json elevenlabs_request_body(const ElevenLabsCall& call) {
  nlohmann::json body = {{"text", call.prompt},
                         {"prompt_influence", call.prompt_influence},
                         {"loop", call.loop},
                         {"model_id", call.model_id}};
  if (call.duration_seconds) body["duration_seconds"] = *call.duration_seconds;
  return body;
}

HttpRequest elevenlabs_http_request(const ElevenLabsCall& call, const ElevenLabsSettings& settings,
                                    const std::string& api_key) {
  HttpRequest r;
  r.method = "POST";
  // Every allowed format is [a-z0-9_], so the query needs no escaping.
  r.url = settings.base_url + "/v1/sound-generation?output_format=" + call.output_format;
  r.headers = {"xi-api-key: " + api_key, "Content-Type: application/json", "Accept: */*"};
  r.body = elevenlabs_request_body(call).dump();
  r.connect_timeout = settings.connect_timeout;
  r.timeout = settings.timeout;
  r.stall_seconds = settings.stall_seconds;
  return r;
}

}  // namespace foley::engines
