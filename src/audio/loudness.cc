#include "audio/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "audio/gain.h"
#include "audio/length.h"
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

}  // namespace

LoudnessMeasurement measure_loudness(const AudioBuffer& buffer) {
  LoudnessMeasurement m;
  const double peak = sample_peak(buffer);
  m.sample_peak_dbfs = linear_to_db(peak);
  m.true_peak_dbtp = m.sample_peak_dbfs;
  if (buffer.frames() == 0 || peak == 0.0) return m;

  std::unique_ptr<ebur128_state, StateDeleter> state(
      ebur128_init(static_cast<unsigned>(buffer.channels), static_cast<unsigned long>(buffer.sample_rate),
                   EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK));
  if (!state) throw Error::failure("loudness measurement failed: cannot initialise libebur128");
  check(ebur128_add_frames_float(state.get(), buffer.samples.data(), buffer.frames()), "add_frames");
  // A clip shorter than one gating block has no integrated loudness of its own:
  // measure it as the 400 ms block that holds it followed by silence.
  const size_t block = seconds_to_frames(0.4, buffer.sample_rate);
  if (buffer.frames() < block) {
    std::vector<float> pad((block - buffer.frames()) * static_cast<size_t>(buffer.channels), 0.0f);
    check(ebur128_add_frames_float(state.get(), pad.data(), block - buffer.frames()), "add_frames");
  }
  double lufs = 0.0;
  check(ebur128_loudness_global(state.get(), &lufs), "loudness_global");
  if (std::isfinite(lufs)) m.integrated_lufs = lufs;
  double true_peak = 0.0;
  for (int c = 0; c < buffer.channels; ++c) {
    double p = 0.0;
    check(ebur128_true_peak(state.get(), static_cast<unsigned>(c), &p), "true_peak");
    true_peak = std::max(true_peak, p);
  }
  m.true_peak_dbtp = std::max(m.sample_peak_dbfs, linear_to_db(true_peak));
  return m;
}

NormalizeResult normalize_loudness(AudioBuffer& buffer, double target_lufs, double peak_ceiling_dbtp) {
  NormalizeResult r;
  r.target_lufs = target_lufs;
  r.before = measure_loudness(buffer);
  if (!r.before.integrated_lufs) {
    r.note = "audio is silent (below the -70 LUFS gate): loudness left unchanged";
    return r;
  }
  double gain = target_lufs - *r.before.integrated_lufs;
  const double headroom = peak_ceiling_dbtp - r.before.true_peak_dbtp;
  if (gain > headroom) {
    r.peak_limited = true;
    r.note = "loudness target " + format_db(target_lufs) + " LUFS needs " + format_db(gain) +
             " dB of gain but the true peak allows only " + format_db(headroom) + " dB (ceiling " +
             format_db(peak_ceiling_dbtp) + " dBTP): reached " + format_db(*r.before.integrated_lufs + headroom) +
             " LUFS";
    gain = headroom;
  }
  r.gain_db = gain;
  apply_gain_db(buffer, gain);
  return r;
}

}  // namespace foley::audio
