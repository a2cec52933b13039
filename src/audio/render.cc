#include "audio/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "audio/audio_reader.h"
#include "audio/audio_writer.h"
#include "audio/channels.h"
#include "audio/delivery_formats.h"
#include "audio/delivery_metadata.h"
#include "audio/fades.h"
#include "audio/gain.h"
#include "audio/highpass.h"
#include "audio/length.h"
#include "audio/loudness.h"
#include "audio/resample.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"
#include "common/version.h"

namespace foley::audio {
namespace {

std::string format_db(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", v);
  return buf;
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
nlohmann::json optional_or_null(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

void record_measurement(const AudioBuffer& buf, const LoudnessMeasurement& m, RenderResult& result) {
  result.frames = buf.frames();
  result.duration_seconds = buf.duration_seconds();
  result.integrated_lufs = m.integrated_lufs;
  result.momentary_max_lufs = m.momentary_max_lufs;
  result.short_term_max_lufs = m.short_term_max_lufs;
  result.loudness_range_lu = m.loudness_range_lu;
  result.sample_peak_dbfs = m.sample_peak_dbfs;
  result.true_peak_dbtp = m.true_peak_dbtp;
}

// A lossy encoder moves the level a little: its low-pass takes K-weighted
// energy away, its ringing adds peak. So the encoded file is decoded and
// measured, and a loudness target is corrected once (within the ceiling); the
// result then holds what the delivered file measures, not what went in.
constexpr double kLossyToleranceLu = 0.1;

void encode_lossy(TempFile& tmp, AudioBuffer& out, const WriteOptions& options, const RenderSettings& s,
                  RenderResult& result) {
  encode_audio(tmp, out, options);
  AudioBuffer decoded = read_audio(tmp.path());
  LoudnessMeasurement m = measure_loudness(decoded);
  const std::optional<double> now = s.loudness ? m.value(s.loudness_measure) : std::nullopt;
  if (now) {
    double correction = *s.loudness - *now;
    correction = std::min(correction, s.true_peak - 0.1 - m.true_peak_dbtp);
    if (std::fabs(correction) > kLossyToleranceLu) {
      apply_gain_db(out, correction);
      result.loudness_gain_db += correction;
      encode_audio(tmp, out, options);
      decoded = read_audio(tmp.path());
      m = measure_loudness(decoded);
    }
  }
  const size_t frames = result.frames;
  record_measurement(decoded, m, result);
  result.frames = frames;  // the frames foley wrote; a decoder may pad the last packet
  result.duration_seconds = static_cast<double>(frames) / out.sample_rate;
}

AudioBuffer load_input(const RenderRequest& request, const RenderSettings& settings) {
  const std::string cue = "cue \"" + request.cue + "\"";
  if (request.type == "silence") {
    if (!settings.clip) throw Error(cue + ": render.clip is required for a silence cue (its length)");
    return AudioBuffer::silence(seconds_to_frames(*settings.clip, settings.sample_rate), std::max(1, settings.channels),
                                settings.sample_rate);
  }
  if (request.type != "generated" && request.type != "source")
    throw Error(cue + ": type \"" + request.type + "\" is not \"generated\", \"source\" or \"silence\"");
  if (request.input_path.empty()) throw Error(cue + ": input_path is empty for a " + request.type + " cue");
  return read_audio(request.input_path);
}

nlohmann::json make_sidecar(const RenderRequest& request, const RenderResult& r) {
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : r.warnings) warnings.push_back(w);
  nlohmann::json loop = nullptr;
  if (r.loop)
    loop = {{"start", 0},
            {"end", r.frames > 0 ? r.frames - 1 : 0},
            {"period", r.loop->period},
            {"repeats", r.loop->repeats},
            {"seam_start", r.loop->seam_start},
            {"crossfade", r.loop->crossfade},
            {"similarity", r.loop->similarity}};
  return {{"sidecar_version", 1},
          {"foley_version", foley_version()},
          {"cue", request.cue},
          {"type", request.type},
          {"input", request.input_path.string()},
          {"provenance", request.provenance},
          {"render", r.settings.to_json()},
          {"frames", r.frames},
          {"duration_seconds", r.duration_seconds},
          {"integrated_lufs", optional_or_null(r.integrated_lufs)},
          {"momentary_max_lufs", optional_or_null(r.momentary_max_lufs)},
          {"short_term_max_lufs", optional_or_null(r.short_term_max_lufs)},
          {"loudness_range_lu", r.loudness_range_lu},
          {"sample_peak_dbfs", finite_or_null(r.sample_peak_dbfs)},
          {"true_peak_dbtp", finite_or_null(r.true_peak_dbtp)},
          {"loudness_gain_db", r.loudness_gain_db},
          {"limiter_reduction_db", r.limiter_reduction_db},
          {"applied_gain_db", r.applied_gain_db},
          {"peak_limited", r.peak_limited},
          {"source_channels", r.source_channels},
          {"padded_seconds", r.padded_seconds},
          {"loop", loop},
          {"warnings", warnings}};
}

}  // namespace

AudioBuffer render_buffer(const AudioBuffer& input, const RenderSettings& s, RenderResult& result) {
  result.settings = s;
  result.source_channels = input.channels;
  AudioBuffer buf = resample(input, s.sample_rate);
  const int channels = s.channels == 0 ? input.channels : s.channels;
  if (channels < input.channels)
    result.warnings.push_back("the " + std::to_string(input.channels) + "-channel input was down-mixed to " +
                              std::to_string(channels) + " channel(s) (channels = " + std::to_string(channels) +
                              "; \"source\" keeps the input's layout)");
  buf = convert_channels(buf, channels);
  remove_dc(buf, s.highpass);

  if (s.loop && buf.frames() > 0) {
    std::optional<size_t> length;
    if (s.clip) length = seconds_to_frames(*s.clip, s.sample_rate);
    LoopResult loop;
    buf = make_loop(buf, length, loop);
    result.loop = loop;
  } else if (s.clip) {
    const size_t frames = seconds_to_frames(*s.clip, s.sample_rate);
    if (frames > buf.frames() && buf.frames() > 0)
      result.padded_seconds = static_cast<double>(frames - buf.frames()) / s.sample_rate;
    fit_length(buf, frames);
  }

  // gain_db is the user's explicit trim. Without a loudness target it must
  // not clip: it is capped so the sample peak stays at or under full scale.
  double gain = s.gain_db;
  const double headroom_db = -linear_to_db(sample_peak(buf));  // +inf for silence
  if (!s.loudness && gain > headroom_db) {
    result.peak_limited = true;
    result.warnings.push_back("gain_db " + format_db(s.gain_db) + " dB would clip (peak " +
                              format_db(-headroom_db) + " dBFS): applied " + format_db(headroom_db) + " dB");
    gain = headroom_db;
  }
  apply_gain_db(buf, gain);
  result.applied_gain_db = gain;

  if (result.loop) {
    if (s.fade_in > 0.0 || s.fade_out > 0.0)
      result.warnings.push_back("fade_in / fade_out are not applied to a loop: its end must meet its start");
  } else {
    apply_fades(buf, s.fade_in, s.fade_out, FadeShape::kLinear);
  }

  if (s.loudness) {
    LoudnessTarget target{*s.loudness, s.loudness_measure, s.true_peak};
    NormalizeResult n = normalize_loudness(buf, target, result.loop.has_value());
    result.loudness_gain_db = n.gain_db;
    result.limiter_reduction_db = n.limiter_reduction_db;
    if (n.missed) {
      result.peak_limited = true;
      result.warnings.push_back(n.note);
    }
  }

  record_measurement(buf, measure_loudness(buf), result);
  return buf;
}

RenderResult render(const RenderRequest& request) {
  RenderResult result;
  const RenderSettings settings = RenderSettings::from_json(request.render, request.cue);
  if (request.output_path.empty()) throw Error("cue \"" + request.cue + "\": output_path is empty");
  AudioBuffer input = load_input(request, settings);
  AudioBuffer out = render_buffer(input, settings, result);

  result.output_path = request.output_path;
  result.sidecar_path = request.output_path;
  result.sidecar_path += ".json";
  result.sidecar = make_sidecar(request, result);

  WriteOptions options;
  options.format = settings.format;
  options.bit_depth = settings.bit_depth;
  options.bitrate = settings.bitrate;
  options.quality = settings.quality;
  options.metadata = tags_for(request);
  options.bext = broadcast_info_for(request, result);
  options.ixml = ixml_for(request);
  if (result.loop && result.frames > 0) options.loop = LoopPoints{0, result.frames - 1};
  TempFile audio_tmp(result.output_path);
  if (find_delivery_format(settings.format)->lossy) {
    encode_lossy(audio_tmp, out, options, settings, result);
    result.sidecar = make_sidecar(request, result);
  } else {
    encode_audio(audio_tmp, out, options);
  }
  TempFile sidecar_tmp(result.sidecar_path);
  sidecar_tmp.write(result.sidecar.dump(2) + "\n");
  sidecar_tmp.commit();
  try {
    audio_tmp.commit();
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(result.sidecar_path, ec);
    throw;
  }
  for (const auto& w : result.warnings) log_warning("cue " + request.cue + ": " + w);
  return result;
}

}  // namespace foley::audio
