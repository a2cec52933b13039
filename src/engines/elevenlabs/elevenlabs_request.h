#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "engines/elevenlabs/elevenlabs_settings.h"
#include "request/request_spec.h"

namespace foley::engines {

// The gen-key fields of one sound-generation call, read from GenRequest::key_fields.
struct ElevenLabsCall {
  std::string prompt;                      // already normalised by the planner
  std::optional<double> duration_seconds;  // none = "auto": the model picks the length
  double prompt_influence = 0.3;
  bool loop = false;
  std::string model_id = "eleven_text_to_sound_v2";
  std::string output_format = "mp3_44100_128";
};

// "cue ep1/door" or "cues ep1/door, ep2/door" (or the gen key when no cue is
// named): the prefix of every message about `request`.
std::string elevenlabs_request_context(const GenRequest& request);

// Reads and checks the key fields: non-empty prompt, duration 0.5–30 s or
// "auto", prompt_influence 0–1, output_format among the 21 allowed, loop a
// bool, model_id a non-empty string; when request.ext is set it must be
// elevenlabs_object_ext(output_format). Absent optional fields take the API's
// defaults. Throws foley::Error naming the cues and the field.
ElevenLabsCall parse_elevenlabs_call(const GenRequest& request);

// Warns (log_warning) when the call's output_format needs a higher tier than
// `tier`, or when the tier is not a known plan name. Returns the warning text,
// empty when none was due.
std::string warn_elevenlabs_tier(const ElevenLabsCall& call, const std::string& tier, const std::string& context);

// The JSON body: text, duration_seconds (absent for "auto"), prompt_influence, loop, model_id.
nlohmann::json elevenlabs_request_body(const ElevenLabsCall& call);

// POST {base_url}/v1/sound-generation?output_format=<fmt> with the xi-api-key
// and Content-Type headers, the body, and the settings' timeouts.
HttpRequest elevenlabs_http_request(const ElevenLabsCall& call, const ElevenLabsSettings& settings,
                                    const std::string& api_key);

}  // namespace foley::engines
