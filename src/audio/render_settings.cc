#include "audio/render_settings.h"

#include <array>
#include <cmath>

#include "audio/delivery_formats.h"
#include "common/error.h"

namespace foley::audio {
namespace {

constexpr std::array<const char*, 15> kKeys = {
    "sample_rate", "bit_depth", "format",    "channels", "loudness", "gain_db", "fade_in", "fade_out",
    "clip",        "loudness_measure", "true_peak", "highpass", "loop",     "bitrate", "quality"};

class FieldReader {
 public:
  FieldReader(const nlohmann::json& j, const std::string& cue) : j_(j), cue_(cue) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw Error("cue \"" + cue_ + "\": render." + field + " " + problem);
  }

  const nlohmann::json& get(const char* field) const {
    auto it = j_.find(field);
    if (it == j_.end()) fail(field, "is missing");
    return *it;
  }

  int integer(const char* field) const {
    const auto& v = get(field);
    if (!v.is_number_integer()) fail(field, "must be an integer, not " + v.dump());
    return v.get<int>();
  }

  double number(const char* field, double lo, double hi) const {
    const auto& v = get(field);
    if (!v.is_number()) fail(field, "must be a number, not " + v.dump());
    double d = v.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi)
      fail(field, "is " + v.dump() + ", outside " + format(lo) + ".." + format(hi));
    return d;
  }

  std::optional<double> optional_number(const char* field, double lo, double hi) const {
    if (get(field).is_null()) return std::nullopt;
    return number(field, lo, hi);
  }

  bool has(const char* field) const { return j_.contains(field); }

 private:
  static std::string format(double d) { return nlohmann::json(d).dump(); }
  const nlohmann::json& j_;
  const std::string& cue_;
};

}  // namespace

RenderSettings RenderSettings::from_json(const nlohmann::json& j, const std::string& cue) {
  if (!j.is_object()) throw Error("cue \"" + cue + "\": render settings must be a JSON object");
  FieldReader r(j, cue);
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) r.fail(key, "is not a render setting");
  }
  RenderSettings s;
  s.sample_rate = r.integer("sample_rate");
  if (s.sample_rate < 8000 || s.sample_rate > 192000)
    r.fail("sample_rate", "is " + std::to_string(s.sample_rate) + " Hz, outside 8000..192000");
  s.bit_depth = r.integer("bit_depth");
  if (s.bit_depth != 16 && s.bit_depth != 24 && s.bit_depth != 32)
    r.fail("bit_depth", "is " + std::to_string(s.bit_depth) + ", not 16, 24 or 32");
  const auto& format = r.get("format");
  if (!format.is_string() || find_delivery_format(format.get<std::string>()) == nullptr)
    r.fail("format", "is " + format.dump() + ", not " + delivery_format_list());
  s.format = format.get<std::string>();
  if (const auto& ch = r.get("channels"); ch == "source") {
    s.channels = 0;
  } else {
    s.channels = r.integer("channels");
    if (s.channels != 1 && s.channels != 2)
      r.fail("channels", "is " + std::to_string(s.channels) + ", not 1, 2 or \"source\"");
  }
  s.loudness = r.optional_number("loudness", -70.0, 0.0);
  s.gain_db = r.number("gain_db", -96.0, 48.0);
  s.fade_in = r.number("fade_in", 0.0, 3600.0);
  s.fade_out = r.number("fade_out", 0.0, 3600.0);
  s.clip = r.optional_number("clip", 0.0, 86400.0);
  if (s.clip && *s.clip <= 0.0) r.fail("clip", "must be more than 0 seconds");
  if (r.has("loudness_measure")) {
    const auto& m = r.get("loudness_measure");
    std::optional<LoudnessMeasure> measure = m.is_string() ? parse_loudness_measure(m.get<std::string>()) : std::nullopt;
    if (!measure) r.fail("loudness_measure", "is " + m.dump() + ", not \"integrated\", \"momentary-max\" or \"short-term-max\"");
    s.loudness_measure = *measure;
  }
  if (r.has("true_peak")) s.true_peak = r.number("true_peak", -20.0, 0.0);
  if (r.has("highpass")) {
    s.highpass = r.number("highpass", 0.0, 200.0);
    if (s.highpass > 0.0 && s.highpass < 5.0) r.fail("highpass", "is " + nlohmann::json(s.highpass).dump() + " Hz: use 0 (off) or 5..200");
  }
  if (r.has("loop")) {
    const auto& loop = r.get("loop");
    if (!loop.is_boolean()) r.fail("loop", "must be true or false, not " + loop.dump());
    s.loop = loop.get<bool>();
  }
  if (r.has("bitrate") && !r.get("bitrate").is_null()) s.bitrate = r.integer("bitrate");
  if (r.has("quality")) s.quality = r.optional_number("quality", -1e9, 1e9);
  if (auto problem = check_delivery(s.format, s.bit_depth, s.sample_rate, s.channels,
                                    s.bitrate ? std::optional<double>(*s.bitrate) : std::nullopt, s.quality))
    r.fail(problem->field, problem->message);
  return s;
}

nlohmann::json RenderSettings::to_json() const {
  return {{"sample_rate", sample_rate},
          {"bit_depth", bit_depth},
          {"format", format},
          {"channels", channels == 0 ? nlohmann::json("source") : nlohmann::json(channels)},
          {"loudness", loudness ? nlohmann::json(*loudness) : nlohmann::json(nullptr)},
          {"gain_db", gain_db},
          {"fade_in", fade_in},
          {"fade_out", fade_out},
          {"clip", clip ? nlohmann::json(*clip) : nlohmann::json(nullptr)},
          {"loudness_measure", loudness_measure_name(loudness_measure)},
          {"true_peak", true_peak},
          {"highpass", highpass},
          {"loop", loop},
          {"bitrate", bitrate ? nlohmann::json(*bitrate) : nlohmann::json(nullptr)},
          {"quality", quality ? nlohmann::json(*quality) : nlohmann::json(nullptr)}};
}

}  // namespace foley::audio
