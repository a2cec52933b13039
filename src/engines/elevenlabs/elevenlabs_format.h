#pragma once

#include <optional>
#include <string>
#include <vector>

namespace foley::engines {

// The 21 `output_format` values the Sound Effects API accepts
// (pipeline-anchors §1.2), in the SDK's order.
const std::vector<std::string>& elevenlabs_output_formats();

// True when `format` is one of elevenlabs_output_formats().
bool is_elevenlabs_output_format(const std::string& format);

// The extension of the raw object stored for a format: "mp3" for mp3_*, "opus"
// for opus_* (Ogg Opus, stored as returned), "wav" for pcm_*, ulaw_8000 and
// alaw_8000 (raw samples wrapped into a WAV header). The planner names objects
// with it. Throws foley::Error for a format outside the allowed list.
std::string elevenlabs_object_ext(const std::string& output_format);

// How the body of a raw (container-less) format is laid out, for WAV wrapping.
struct RawPcmLayout {
  int sample_rate = 0;
  std::string encoding;  // "pcm_s16le" | "ulaw" | "alaw" (mono)
};

// The layout of a raw format, or nothing for mp3_* / opus_* (which arrive in
// their own container).
std::optional<RawPcmLayout> elevenlabs_raw_layout(const std::string& output_format);

// Subscription tiers, lowest first. Unknown names rank as nothing.
enum class ElevenLabsTier { kFree, kStarter, kCreator, kPro, kScale, kBusiness };

// The tiers as foley.toml names them ("free", "starter", ...), lowest first.
const std::vector<std::string>& elevenlabs_tier_ids();

// Parses a tier name ("free", "Creator", ...; case-insensitive).
std::optional<ElevenLabsTier> parse_elevenlabs_tier(const std::string& name);

// The lowest tier that may request `output_format`: Creator for mp3_44100_192,
// Pro for pcm_44100 and pcm_48000, Free for every other format.
ElevenLabsTier elevenlabs_required_tier(const std::string& output_format);

// The tier's display name ("Creator").
std::string elevenlabs_tier_name(ElevenLabsTier tier);

// The default ninja pool depth of a tier (pipeline-anchors §1.5): Free 2,
// Starter 3, Creator 5, Pro 10, Scale and Business 15.
int elevenlabs_tier_concurrency(ElevenLabsTier tier);

}  // namespace foley::engines
