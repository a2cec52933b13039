// Validation before any request: ranges, formats, tiers, and the messages.
#include <catch2/catch.hpp>

#include "engines/elevenlabs/elevenlabs_engine.h"
#include "engines/elevenlabs_fake_server.h"
#include "engines/elevenlabs/elevenlabs_format.h"
#include "engines/elevenlabs/elevenlabs_request.h"
#include "common/error.h"

using namespace foley;
using namespace foley::engines;
using nlohmann::json;

namespace {

GenRequest req(json key_fields, json settings = {}) {
  // Port 9 (discard): validation must never get as far as connecting.
  return foley::testing::make_request("http://127.0.0.1:9", "/nonexistent/key", std::move(key_fields),
                                      std::move(settings));
}

std::string validate_message(const GenRequest& r) {
  try {
    ElevenLabsEngine().validate(r);
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::kInput);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("elevenlabs validate: a good request passes without any key") {
  CHECK(validate_message(req({})) == "");
  CHECK(validate_message(req({{"duration", "auto"}})) == "");
  CHECK(validate_message(req({{"duration", 0.5}, {"prompt_influence", 0}})) == "");
  CHECK(validate_message(req({{"duration", 30}, {"prompt_influence", 1}})) == "");
}

TEST_CASE("elevenlabs validate: errors name the cues and the field") {
  GenRequest r = req({{"duration", 45.0}});
  r.cues = {"ep1/door", "ep2/door"};
  std::string m = validate_message(r);
  CHECK_THAT(m, Catch::StartsWith("cues ep1/door, ep2/door: field `duration`: 45 s is outside"));
  CHECK_THAT(validate_message(req({{"duration", 0.4}})), Catch::Contains("field `duration`"));
  CHECK_THAT(validate_message(req({{"duration", "long"}})), Catch::Contains("field `duration`"));
  CHECK_THAT(validate_message(req({{"prompt_influence", 1.5}})),
             Catch::Contains("cue ep1/door: field `prompt_influence`: 1.5 is outside 0–1"));
  CHECK_THAT(validate_message(req({{"prompt_influence", -0.1}})), Catch::Contains("field `prompt_influence`"));
  CHECK_THAT(validate_message(req({{"prompt", "   "}})), Catch::Contains("field `prompt`: is empty"));
  CHECK_THAT(validate_message(req({{"loop", "yes"}})), Catch::Contains("field `loop`"));
  CHECK_THAT(validate_message(req({{"model_id", ""}})), Catch::Contains("field `model_id`"));
  std::string f = validate_message(req({{"output_format", "mp3_48000_320"}}));
  CHECK_THAT(f, Catch::Contains("field `output_format`: \"mp3_48000_320\" is not allowed"));
  CHECK_THAT(f, Catch::Contains("opus_48000_192"));
}

TEST_CASE("elevenlabs validate: the object extension must match the output format") {
  GenRequest r = req({{"output_format", "pcm_44100"}});
  r.ext = "wav";
  CHECK(validate_message(r) == "");
  r.ext = "mp3";
  CHECK_THAT(validate_message(r), Catch::Contains("pcm_44100 is stored as .wav but the request names a .mp3 object"));
}

TEST_CASE("elevenlabs validate: settings of the wrong type are errors naming the key") {
  CHECK_THAT(validate_message(req({}, {{"max_attempts", "five"}})), Catch::Contains("setting `max_attempts`"));
  CHECK_THAT(validate_message(req({}, {{"max_attempts", 0}})), Catch::Contains("at least 1"));
  CHECK_THAT(validate_message(req({}, {{"base_url", ""}})), Catch::Contains("setting `base_url`"));
}

TEST_CASE("elevenlabs validate: formats above the profile's tier give a warning, not an error") {
  ElevenLabsCall call;
  call.output_format = "mp3_44100_192";
  CHECK_THAT(warn_elevenlabs_tier(call, "starter", "cue a/b"),
             Catch::Contains("cue a/b: field `output_format`: mp3_44100_192 needs the Creator tier"));
  CHECK(warn_elevenlabs_tier(call, "Creator", "cue a/b").empty());
  call.output_format = "pcm_44100";
  CHECK_THAT(warn_elevenlabs_tier(call, "creator", "c"), Catch::Contains("needs the Pro tier"));
  CHECK(warn_elevenlabs_tier(call, "business", "c").empty());
  call.output_format = "pcm_48000";
  CHECK_THAT(warn_elevenlabs_tier(call, "free", "c"), Catch::Contains("Pro"));
  call.output_format = "mp3_44100_128";
  CHECK(warn_elevenlabs_tier(call, "free", "c").empty());
  CHECK(validate_message(req({{"output_format", "pcm_48000"}}, {{"tier", "free"}})) == "");
}

TEST_CASE("elevenlabs formats: the 21 allowed values, their object extensions and raw layouts") {
  CHECK(elevenlabs_output_formats().size() == 21);
  int mp3 = 0, opus = 0, wav = 0;
  for (const auto& f : elevenlabs_output_formats()) {
    std::string ext = elevenlabs_object_ext(f);
    mp3 += ext == "mp3";
    opus += ext == "opus";
    wav += ext == "wav";
    CHECK(elevenlabs_raw_layout(f).has_value() == (ext == "wav"));
  }
  CHECK(mp3 == 7);
  CHECK(opus == 5);
  CHECK(wav == 9);
  CHECK_THROWS_AS(elevenlabs_object_ext("wav"), Error);
  CHECK(elevenlabs_raw_layout("pcm_22050")->sample_rate == 22050);
  CHECK(elevenlabs_raw_layout("pcm_22050")->encoding == "pcm_s16le");
  CHECK(elevenlabs_raw_layout("alaw_8000")->encoding == "alaw");
  CHECK(elevenlabs_raw_layout("ulaw_8000")->sample_rate == 8000);
  CHECK_FALSE(elevenlabs_raw_layout("opus_48000_64"));
}

TEST_CASE("elevenlabs tiers: parsing and default pool depths") {
  CHECK(parse_elevenlabs_tier("Scale") == ElevenLabsTier::kScale);
  CHECK_FALSE(parse_elevenlabs_tier("platinum"));
  CHECK(elevenlabs_tier_concurrency(ElevenLabsTier::kFree) == 2);
  CHECK(elevenlabs_tier_concurrency(ElevenLabsTier::kStarter) == 3);
  CHECK(elevenlabs_tier_concurrency(ElevenLabsTier::kCreator) == 5);
  CHECK(elevenlabs_tier_concurrency(ElevenLabsTier::kPro) == 10);
  CHECK(elevenlabs_tier_concurrency(ElevenLabsTier::kBusiness) == 15);
}

TEST_CASE("elevenlabs request: URL, headers and body follow the contract") {
  ElevenLabsCall call = parse_elevenlabs_call(req({{"duration", 4}, {"loop", true}, {"output_format", "pcm_24000"}}));
  ElevenLabsSettings settings = parse_elevenlabs_settings({{"base_url", "https://api.eu.residency.elevenlabs.io/"}}, "t");
  HttpRequest h = elevenlabs_http_request(call, settings, "k1");
  CHECK(h.method == "POST");
  CHECK(h.url == "https://api.eu.residency.elevenlabs.io/v1/sound-generation?output_format=pcm_24000");
  CHECK(std::find(h.headers.begin(), h.headers.end(), "xi-api-key: k1") != h.headers.end());
  CHECK(std::find(h.headers.begin(), h.headers.end(), "Content-Type: application/json") != h.headers.end());
  json body = json::parse(h.body);
  CHECK(body == json{{"text", "a wooden door creaks open"}, {"duration_seconds", 4.0}, {"prompt_influence", 0.3},
                     {"loop", true}, {"model_id", "eleven_text_to_sound_v2"}});
  CHECK(settings.retry.max_attempts == 5);
  CHECK(settings.retry.backoff_seconds == 10.0);
}
