#include "engines/elevenlabs/elevenlabs_format.h"

#include <algorithm>
#include <cctype>

#include "common/error.h"

namespace foley::engines {

const std::vector<std::string>& elevenlabs_output_formats() {
  static const std::vector<std::string> kFormats = {
      "mp3_22050_32",  "mp3_24000_48",  "mp3_44100_32",  "mp3_44100_64",  "mp3_44100_96",  "mp3_44100_128",
      "mp3_44100_192", "pcm_8000",      "pcm_16000",     "pcm_22050",     "pcm_24000",     "pcm_32000",
      "pcm_44100",     "pcm_48000",     "ulaw_8000",     "alaw_8000",     "opus_48000_32", "opus_48000_64",
      "opus_48000_96", "opus_48000_128", "opus_48000_192"};
  return kFormats;
}

const std::vector<std::string>& elevenlabs_tier_ids() {
  static const std::vector<std::string> kTiers = {"free", "starter", "creator", "pro", "scale", "business"};
  return kTiers;
}

bool is_elevenlabs_output_format(const std::string& format) {
  const auto& all = elevenlabs_output_formats();
  return std::find(all.begin(), all.end(), format) != all.end();
}

std::string elevenlabs_object_ext(const std::string& output_format) {
  if (!is_elevenlabs_output_format(output_format))
    throw Error("output_format \"" + output_format + "\" is not one the ElevenLabs API accepts");
  if (output_format.rfind("mp3_", 0) == 0) return "mp3";
  if (output_format.rfind("opus_", 0) == 0) return "opus";
  return "wav";
}

std::optional<RawPcmLayout> elevenlabs_raw_layout(const std::string& output_format) {
  if (!is_elevenlabs_output_format(output_format)) return std::nullopt;
  auto rate_after = [&](size_t prefix) { return std::stoi(output_format.substr(prefix)); };
  if (output_format.rfind("pcm_", 0) == 0) return RawPcmLayout{rate_after(4), "pcm_s16le"};
  if (output_format.rfind("ulaw_", 0) == 0) return RawPcmLayout{rate_after(5), "ulaw"};
  if (output_format.rfind("alaw_", 0) == 0) return RawPcmLayout{rate_after(5), "alaw"};
  return std::nullopt;
}

std::optional<ElevenLabsTier> parse_elevenlabs_tier(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "free") return ElevenLabsTier::kFree;
  if (n == "starter") return ElevenLabsTier::kStarter;
  if (n == "creator") return ElevenLabsTier::kCreator;
  if (n == "pro") return ElevenLabsTier::kPro;
  if (n == "scale") return ElevenLabsTier::kScale;
  if (n == "business") return ElevenLabsTier::kBusiness;
  return std::nullopt;
}

ElevenLabsTier elevenlabs_required_tier(const std::string& output_format) {
  if (output_format == "mp3_44100_192") return ElevenLabsTier::kCreator;
  if (output_format == "pcm_44100" || output_format == "pcm_48000") return ElevenLabsTier::kPro;
  return ElevenLabsTier::kFree;
}

std::string elevenlabs_tier_name(ElevenLabsTier tier) {
  switch (tier) {
    case ElevenLabsTier::kFree: return "Free";
    case ElevenLabsTier::kStarter: return "Starter";
    case ElevenLabsTier::kCreator: return "Creator";
    case ElevenLabsTier::kPro: return "Pro";
    case ElevenLabsTier::kScale: return "Scale";
    case ElevenLabsTier::kBusiness: return "Business";
  }
  return "Free";
}

int elevenlabs_tier_concurrency(ElevenLabsTier tier) {
  switch (tier) {
    case ElevenLabsTier::kFree: return 2;
    case ElevenLabsTier::kStarter: return 3;
    case ElevenLabsTier::kCreator: return 5;
    case ElevenLabsTier::kPro: return 10;
    case ElevenLabsTier::kScale:
    case ElevenLabsTier::kBusiness: return 15;
  }
  return 2;
}

}  // namespace foley::engines
