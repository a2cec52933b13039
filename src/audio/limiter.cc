#include "audio/limiter.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <vector>

#include "audio/gain.h"
#include "audio/length.h"
#include "audio/resample.h"

namespace foley::audio {
namespace {

constexpr int kOversample = 4;
constexpr double kLookaheadSeconds = 0.005;
constexpr double kReleaseSeconds = 0.05;

// Per frame, the largest magnitude of any channel around that frame in the
// oversampled signal (the true peak the frame contributes to).
std::vector<double> frame_peaks(const AudioBuffer& buffer) {
  const size_t frames = buffer.frames();
  std::vector<double> peak(frames, 0.0);
  for (size_t f = 0; f < frames; ++f)
    for (int c = 0; c < buffer.channels; ++c) peak[f] = std::max(peak[f], double(std::fabs(buffer.at(f, c))));
  AudioBuffer up = resample(buffer, buffer.sample_rate * kOversample);
  const size_t up_frames = up.frames();
  for (size_t u = 0; u < up_frames; ++u) {
    const size_t f = std::min(frames - 1, (u + kOversample / 2) / kOversample);
    for (int c = 0; c < up.channels; ++c) peak[f] = std::max(peak[f], double(std::fabs(up.at(u, c))));
  }
  return peak;
}

// out[i] = min(in[i .. i + width]) over an input that continues past its end
// by wrapping (circular) or by repeating its last value.
std::vector<double> forward_min(const std::vector<double>& in, size_t width, bool circular) {
  const size_t n = in.size();
  auto value = [&](size_t i) { return i < n ? in[i] : circular ? in[i % n] : in[n - 1]; };
  std::vector<double> out(n);
  std::deque<size_t> window;  // indices of increasing values
  for (size_t i = 0; i < n + width; ++i) {
    while (!window.empty() && value(window.back()) >= value(i)) window.pop_back();
    window.push_back(i);
    if (i < width) continue;
    const size_t start = i - width;
    while (window.front() < start) window.pop_front();
    out[start] = value(window.front());
  }
  return out;
}

// out[i] = mean(in[i - width .. i]) over an input that starts before its
// beginning by wrapping (circular) or by repeating its first value.
std::vector<double> backward_mean(const std::vector<double>& in, size_t width, bool circular) {
  const size_t n = in.size();
  auto value = [&](long i) { return i >= 0 ? in[size_t(i)] : circular ? in[size_t((i % long(n) + long(n)) % long(n))] : in[0]; };
  std::vector<double> out(n);
  double sum = 0.0;
  for (long i = -long(width); i <= 0; ++i) sum += value(i);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) sum += value(long(i)) - value(long(i) - long(width) - 1);
    out[i] = sum / double(width + 1);
  }
  return out;
}

}  // namespace

LimiterResult limit_true_peak(AudioBuffer& buffer, double ceiling_dbtp, bool circular) {
  LimiterResult r;
  const size_t n = buffer.frames();
  if (n == 0) return r;
  const double ceiling = db_to_linear(ceiling_dbtp);
  std::vector<double> need = frame_peaks(buffer);
  bool any = false;
  for (double& p : need) {
    p = p > ceiling ? ceiling / p : 1.0;
    any = any || p < 1.0;
  }
  if (!any) return r;
  const size_t lookahead = std::max<size_t>(1, seconds_to_frames(kLookaheadSeconds, buffer.sample_rate));
  // A window's mean of "min over the next `lookahead` frames" is at most the
  // need of every frame the window covers, so each peak gets its full reduction.
  std::vector<double> gain = backward_mean(forward_min(need, lookahead, circular), lookahead, circular);
  // Release: the gain may fall at once but rises back exponentially. A loop
  // runs twice so the state at its start is the state its end leaves.
  const double keep = std::exp(-1.0 / (kReleaseSeconds * buffer.sample_rate));
  std::vector<double> released(n);
  double state = circular ? 1.0 : gain[0];
  for (int pass = 0; pass < (circular ? 2 : 1); ++pass) {
    for (size_t i = 0; i < n; ++i) {
      state = std::min(gain[i], keep * state + (1.0 - keep) * gain[i]);
      released[i] = state;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (released[i] >= 1.0) continue;
    r.limited_frames++;
    r.max_reduction_db = std::max(r.max_reduction_db, -linear_to_db(released[i]));
    for (int c = 0; c < buffer.channels; ++c) buffer.at(i, c) = float(buffer.at(i, c) * released[i]);
  }
  return r;
}

}  // namespace foley::audio
