#include "audio/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "audio/gain.h"
#include "audio/length.h"
#include "audio/limiter.h"
#include "common/error.h"

namespace foley::audio {
namespace {

struct StateDeleter {
  void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};

void check(int status, const char* what) {
  if (status != EBUR128_SUCCESS)
    throw Error::failure(std::string("loudness measurement failed in ") + what + " (libebur128 error " +
                         std::to_string(status) + ")");
}

std::string format_db(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Loudness values below the absolute gate count as silence.
std::optional<double> audible(double lufs) {
  if (!std::isfinite(lufs) || lufs < -70.0) return std::nullopt;
  return lufs;
}

// The limiter aims this far under the ceiling: its 4x estimate of the
// inter-sample peaks and a meter's can differ by a few hundredths of a dB.
constexpr double kLimiterMarginDb = 0.3;
// The final trim leaves this much between the measured true peak and the ceiling.
constexpr double kCeilingMarginDb = 0.05;
constexpr int kPasses = 4;
constexpr double kToleranceLu = 0.05;

}  // namespace

const char* loudness_measure_name(LoudnessMeasure measure) {
  switch (measure) {
    case LoudnessMeasure::kIntegrated: return "integrated";
    case LoudnessMeasure::kMomentaryMax: return "momentary-max";
    case LoudnessMeasure::kShortTermMax: return "short-term-max";
  }
  return "integrated";
}

std::optional<LoudnessMeasure> parse_loudness_measure(const std::string& name) {
  for (LoudnessMeasure m : {LoudnessMeasure::kIntegrated, LoudnessMeasure::kMomentaryMax,
                            LoudnessMeasure::kShortTermMax})
    if (name == loudness_measure_name(m)) return m;
  return std::nullopt;
}

std::optional<double> LoudnessMeasurement::value(LoudnessMeasure measure) const {
  switch (measure) {
    case LoudnessMeasure::kIntegrated: return integrated_lufs;
    case LoudnessMeasure::kMomentaryMax: return momentary_max_lufs;
    case LoudnessMeasure::kShortTermMax: return short_term_max_lufs;
  }
  return integrated_lufs;
}

LoudnessMeasurement measure_loudness(const AudioBuffer& buffer) {
  LoudnessMeasurement m;
  const double peak = sample_peak(buffer);
  m.sample_peak_dbfs = linear_to_db(peak);
  m.true_peak_dbtp = m.sample_peak_dbfs;
  if (buffer.frames() == 0 || peak == 0.0) return m;

  std::unique_ptr<ebur128_state, StateDeleter> state(
      ebur128_init(static_cast<unsigned>(buffer.channels), static_cast<unsigned long>(buffer.sample_rate),
                   EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_S | EBUR128_MODE_TRUE_PEAK));
  if (!state) throw Error::failure("loudness measurement failed: cannot initialise libebur128");
  // Fed in 100 ms steps: the momentary and short-term maxima are read after
  // each, the rate EBU Tech 3341 (and ffmpeg's ebur128 filter) update them at.
  // A clip shorter than one gating block has no integrated loudness of its own:
  // it is measured as the 400 ms block that holds it followed by silence.
  const size_t block = seconds_to_frames(0.4, buffer.sample_rate);
  const size_t step = std::max<size_t>(1, seconds_to_frames(0.1, buffer.sample_rate));
  const size_t total = std::max(buffer.frames(), block);
  std::vector<float> padded;
  const float* samples = buffer.samples.data();
  if (buffer.frames() < block) {
    padded = buffer.samples;
    padded.resize(block * static_cast<size_t>(buffer.channels), 0.0f);
    samples = padded.data();
  }
  double momentary_max = -HUGE_VAL, short_term_max = -HUGE_VAL;
  for (size_t at = 0; at < total; at += step) {
    const size_t n = std::min(step, total - at);
    check(ebur128_add_frames_float(state.get(), samples + at * static_cast<size_t>(buffer.channels), n),
          "add_frames");
    if (at + n < std::min(block, total)) continue;  // no full 400 ms window yet
    double v = 0.0;
    check(ebur128_loudness_momentary(state.get(), &v), "loudness_momentary");
    momentary_max = std::max(momentary_max, v);
    if (ebur128_loudness_shortterm(state.get(), &v) == EBUR128_SUCCESS) short_term_max = std::max(short_term_max, v);
  }
  double lufs = 0.0;
  check(ebur128_loudness_global(state.get(), &lufs), "loudness_global");
  m.integrated_lufs = audible(lufs);
  m.momentary_max_lufs = audible(momentary_max);
  m.short_term_max_lufs = audible(short_term_max);
  double range = 0.0;
  if (ebur128_loudness_range(state.get(), &range) == EBUR128_SUCCESS && std::isfinite(range))
    m.loudness_range_lu = range;
  double true_peak = 0.0;
  for (int c = 0; c < buffer.channels; ++c) {
    double p = 0.0;
    check(ebur128_true_peak(state.get(), static_cast<unsigned>(c), &p), "true_peak");
    true_peak = std::max(true_peak, p);
  }
  m.true_peak_dbtp = std::max(m.sample_peak_dbfs, linear_to_db(true_peak));
  return m;
}

NormalizeResult normalize_loudness(AudioBuffer& buffer, const LoudnessTarget& target, bool circular) {
  NormalizeResult r;
  r.before = measure_loudness(buffer);
  r.after = r.before;
  const char* measure = loudness_measure_name(target.measure);
  if (!r.before.value(target.measure)) {
    r.note = "audio is silent (below the -70 LUFS gate): loudness left unchanged";
    return r;
  }
  // Static gain to the target, then the limiter wherever that gain pushed a
  // peak over the ceiling; limiting lowers the loudness a little, so again.
  for (int pass = 0; pass < kPasses; ++pass) {
    const std::optional<double> now = r.after.value(target.measure);
    if (!now) break;
    const double gain = target.lufs - *now;
    if (pass > 0 && std::fabs(gain) < kToleranceLu && r.after.true_peak_dbtp <= target.true_peak_dbtp) break;
    apply_gain_db(buffer, gain);
    r.gain_db += gain;
    LimiterResult lim = limit_true_peak(buffer, target.true_peak_dbtp - kLimiterMarginDb, circular);
    r.limiter_reduction_db = std::max(r.limiter_reduction_db, lim.max_reduction_db);
    r.after = measure_loudness(buffer);
  }
  // The limiter's estimate of inter-sample peaks is not the meter's: a last
  // static trim makes the measured true peak meet the ceiling.
  const double over = r.after.true_peak_dbtp - (target.true_peak_dbtp - kCeilingMarginDb);
  if (over > 0.0) {
    apply_gain_db(buffer, -over);
    r.gain_db -= over;
    r.after = measure_loudness(buffer);
  }
  const std::optional<double> reached = r.after.value(target.measure);
  if (reached && std::fabs(*reached - target.lufs) > 0.5) {
    r.missed = true;
    r.note = std::string("loudness target ") + format_db(target.lufs) + " LUFS (" + measure + ") not reached: " +
             format_db(*reached) + " LUFS with the true peak at " + format_db(r.after.true_peak_dbtp) +
             " dBTP (ceiling " + format_db(target.true_peak_dbtp) + " dBTP, limiter down to -" +
             format_db(r.limiter_reduction_db) + " dB)";
  }
  return r;
}

}  // namespace foley::audio
