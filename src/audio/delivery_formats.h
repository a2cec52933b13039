#pragma once

// The delivery formats foley writes, and what each accepts: one table that the
// manifest's checks, the render settings and the writer all read. Header-only
// and free of libsndfile, so the manifest can check a cue without linking audio.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace foley::audio {

struct DeliveryFormat {
  std::string_view name;      // the manifest's `format` and the file's extension
  bool lossy;                 // bit_depth does not apply
  std::string_view tuning;    // "bitrate" (kbps), "quality" (0..10) or "" (none)
  std::array<int, 9> rates;   // the sample rates it can carry; all zero = any
};

inline constexpr std::array<DeliveryFormat, 5> kDeliveryFormats = {{
    {"wav", false, "", {}},
    {"flac", false, "", {}},
    // MPEG-1, -2 and -2.5 layer III rates.
    {"mp3", true, "bitrate", {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}},
    {"ogg", true, "quality", {}},  // Ogg Vorbis
    {"opus", true, "bitrate", {8000, 12000, 16000, 24000, 48000}},  // Ogg Opus
}};

inline const DeliveryFormat* find_delivery_format(std::string_view name) {
  for (const DeliveryFormat& f : kDeliveryFormats)
    if (f.name == name) return &f;
  return nullptr;
}

// "`wav`, `flac`, `mp3`, `ogg` or `opus`".
inline std::string delivery_format_list() {
  std::string s;
  for (size_t i = 0; i < kDeliveryFormats.size(); ++i) {
    if (i > 0) s += i + 1 == kDeliveryFormats.size() ? " or " : ", ";
    s += "`" + std::string(kDeliveryFormats[i].name) + "`";
  }
  return s;
}

// The bitrates (kbps, total over `channels`) a format accepts at a sample rate.
struct BitrateRange {
  int lo, hi;
};
inline BitrateRange bitrate_range(std::string_view format, int sample_rate, int channels) {
  if (format == "opus") return {6 * channels, 256 * channels};  // libopus: 6..256 kbps a channel
  if (sample_rate >= 32000) return {32, 320};                     // MPEG-1 layer III
  if (sample_rate >= 16000) return {8, 160};                      // MPEG-2
  return {8, 64};                                                 // MPEG-2.5
}

// The bitrate used when none is given: 192 kbps MP3 (as capped by the rate),
// 64 kbps a channel for Opus.
inline int default_bitrate(std::string_view format, int sample_rate, int channels) {
  if (format == "opus") return 64 * channels;
  return std::min(192, bitrate_range(format, sample_rate, channels).hi);
}
inline constexpr double kDefaultVorbisQuality = 6.0;  // oggenc's -q scale, 0..10

// What is wrong with a combination of delivery settings, naming the field to
// blame; nullopt when it is fine. `channels` 0 means "as the source" (not
// known until render time: the bitrate range is then checked per channel).
struct DeliveryProblem {
  std::string field;
  std::string message;
};
inline std::optional<DeliveryProblem> check_delivery(std::string_view format, int bit_depth, int sample_rate,
                                                     int channels, std::optional<double> bitrate,
                                                     std::optional<double> quality) {
  const DeliveryFormat* f = find_delivery_format(format);
  if (f == nullptr)
    return DeliveryProblem{"format", "unknown format `" + std::string(format) + "`; expected " + delivery_format_list()};
  if (format == "flac" && bit_depth == 32)
    return DeliveryProblem{"bit_depth", "FLAC stores 16 or 24 bit samples; use bit_depth = 16 or 24, or format = "
                                        "\"wav\" for 32-bit float"};
  if (f->rates[0] != 0 && std::find(f->rates.begin(), f->rates.end(), sample_rate) == f->rates.end()) {
    std::string list;
    for (int r : f->rates)
      if (r != 0) list += (list.empty() ? "" : ", ") + std::to_string(r);
    return DeliveryProblem{"sample_rate", std::string(format) + " carries " + list + " Hz, not " +
                                              std::to_string(sample_rate)};
  }
  if (bitrate && f->tuning != "bitrate")
    return DeliveryProblem{"bitrate", "only mp3 and opus take a bitrate (format is `" + std::string(format) + "`" +
                                          (format == "ogg" ? "; Ogg Vorbis takes `quality`)" : ")")};
  if (quality && f->tuning != "quality")
    return DeliveryProblem{"quality", "only ogg (Vorbis) takes a quality (format is `" + std::string(format) + "`" +
                                          (f->tuning == "bitrate" ? "; it takes `bitrate`)" : ")")};
  if (bitrate) {
    BitrateRange range = bitrate_range(format, sample_rate, std::max(1, channels));
    if (!(*bitrate >= range.lo && *bitrate <= range.hi))
      return DeliveryProblem{"bitrate", std::string(format) + " at " + std::to_string(sample_rate) + " Hz takes " +
                                            std::to_string(range.lo) + ".." + std::to_string(range.hi) +
                                            " kbps" + (format == "opus" ? " for this many channels" : "") +
                                            ", not " + std::to_string(static_cast<long long>(*bitrate))};
  }
  if (quality && !(*quality >= 0.0 && *quality <= 10.0))
    return DeliveryProblem{"quality", "must be between 0 and 10 (oggenc's -q scale)"};
  return std::nullopt;
}

}  // namespace foley::audio
