#include "models/audio_utils.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <utility>

#include "common/error.h"
#include "common/parallel_for.h"

namespace foley::models {

namespace {

constexpr double kMinLogHertz = 1000.0;
constexpr double kMinLogMel = 15.0;

// In-place iterative radix-2 FFT of a power-of-two length.
void fft_radix2(std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& twiddles) {
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const size_t step = n / len;
    for (size_t i = 0; i < n; i += len)
      for (size_t k = 0; k < len / 2; ++k) {
        std::complex<double> u = a[i + k];
        std::complex<double> v = a[i + k + len / 2] * twiddles[k * step];
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
  }
}

// np.pad(mode="reflect") index: mirror without repeating the edge sample.
int64_t reflect_index(int64_t i, int64_t n) {
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

}  // namespace

double hertz_to_mel(double hertz, MelScale scale) {
  if (scale == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hertz / 700.0);
  const double logstep = 27.0 / std::log(6.4);
  if (hertz >= kMinLogHertz) return kMinLogMel + std::log(hertz / kMinLogHertz) * logstep;
  return 3.0 * hertz / 200.0;
}

double mel_to_hertz(double mel, MelScale scale) {
  if (scale == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  const double logstep = std::log(6.4) / 27.0;
  if (mel >= kMinLogMel) return kMinLogHertz * std::exp(logstep * (mel - kMinLogMel));
  return 200.0 * mel / 3.0;
}

std::vector<double> mel_filter_bank(int64_t num_frequency_bins, int64_t num_mel_filters, double min_frequency,
                                    double max_frequency, int64_t sampling_rate, bool slaney_norm, MelScale scale) {
  // np.linspace(mel_min, mel_max, num_mel_filters + 2) and its Hz values.
  const double mel_min = hertz_to_mel(min_frequency, scale), mel_max = hertz_to_mel(max_frequency, scale);
  const int64_t points = num_mel_filters + 2;
  std::vector<double> filter_freqs(static_cast<size_t>(points));
  const double mel_step = (mel_max - mel_min) / static_cast<double>(points - 1);
  for (int64_t i = 0; i < points; ++i) {
    // numpy's linspace: start + i*step, with the last point exactly `stop`.
    double mel = i == points - 1 ? mel_max : mel_min + static_cast<double>(i) * mel_step;
    filter_freqs[static_cast<size_t>(i)] = mel_to_hertz(mel, scale);
  }
  // np.linspace(0, sampling_rate // 2, num_frequency_bins).
  const double nyquist = static_cast<double>(sampling_rate / 2);
  const double fft_step = nyquist / static_cast<double>(num_frequency_bins - 1);
  std::vector<double> bank(static_cast<size_t>(num_frequency_bins * num_mel_filters));
  for (int64_t f = 0; f < num_frequency_bins; ++f) {
    const double fft_freq = f == num_frequency_bins - 1 ? nyquist : static_cast<double>(f) * fft_step;
    for (int64_t m = 0; m < num_mel_filters; ++m) {
      const auto s = static_cast<size_t>(m);
      const double down = -(filter_freqs[s] - fft_freq) / (filter_freqs[s + 1] - filter_freqs[s]);
      const double up = (filter_freqs[s + 2] - fft_freq) / (filter_freqs[s + 2] - filter_freqs[s + 1]);
      double v = std::max(0.0, std::min(down, up));
      if (slaney_norm) v *= 2.0 / (filter_freqs[s + 2] - filter_freqs[s]);
      bank[static_cast<size_t>(f * num_mel_filters + m)] = v;
    }
  }
  return bank;
}

std::vector<double> hann_window(int64_t length) {
  // np.hanning(M) = 0.5 - 0.5 cos(2 pi n / (M - 1)) with M = length + 1.
  std::vector<double> w(static_cast<size_t>(length));
  for (int64_t n = 0; n < length; ++n)
    w[static_cast<size_t>(n)] =
        0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(length));
  return w;
}

std::vector<float> log_mel_spectrogram(const std::vector<double>& waveform, int64_t fft_length, int64_t hop_length,
                                       const std::vector<double>& mel_filters, int64_t num_mel_filters,
                                       int64_t* frames_out) {
  if (fft_length < 2 || (fft_length & (fft_length - 1)) != 0)
    throw Error("spectrogram: fft_window_size " + std::to_string(fft_length) + " is not a power of two");
  if (hop_length <= 0) throw Error("spectrogram: hop_length must be positive");
  const auto n = static_cast<int64_t>(waveform.size());
  if (n < 2) throw Error("spectrogram: a waveform of " + std::to_string(n) + " samples cannot be reflect-padded");
  const int64_t half = fft_length / 2, bins = half + 1;
  if (static_cast<int64_t>(mel_filters.size()) != bins * num_mel_filters)
    throw Error("spectrogram: mel filter bank does not match fft_window_size");
  const int64_t frames = 1 + n / hop_length;  // 1 + floor((n + 2 half - fft_length) / hop)
  *frames_out = frames;
  const std::vector<double> window = hann_window(fft_length);
  std::vector<std::complex<double>> twiddles(static_cast<size_t>(half));
  for (int64_t k = 0; k < half; ++k)
    twiddles[static_cast<size_t>(k)] =
        std::polar(1.0, -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(fft_length));

  // Each triangular filter is non-zero on a short band of bins: summing only
  // that band (in the same ascending order) gives the same bits as the full dot.
  std::vector<std::pair<int64_t, int64_t>> band(static_cast<size_t>(num_mel_filters), {0, 0});
  for (int64_t m = 0; m < num_mel_filters; ++m) {
    int64_t lo = bins, hi = 0;
    for (int64_t k = 0; k < bins; ++k)
      if (mel_filters[static_cast<size_t>(k * num_mel_filters + m)] != 0.0) {
        lo = std::min(lo, k);
        hi = k + 1;
      }
    band[static_cast<size_t>(m)] = {lo, std::max(lo, hi)};
  }

  std::vector<float> out(static_cast<size_t>(frames * num_mel_filters));
  parallel_for(static_cast<size_t>(frames), 64, [&](size_t begin, size_t end) {
    std::vector<std::complex<double>> buffer(static_cast<size_t>(fft_length));
    std::vector<double> power(static_cast<size_t>(bins));
    for (size_t t = begin; t < end; ++t) {
      const int64_t start = static_cast<int64_t>(t) * hop_length - half;
      for (int64_t i = 0; i < fft_length; ++i) {
        int64_t j = start + i;
        double x = (j >= 0 && j < n) ? waveform[static_cast<size_t>(j)]
                                     : waveform[static_cast<size_t>(reflect_index(j, n))];
        buffer[static_cast<size_t>(i)] = {x * window[static_cast<size_t>(i)], 0.0};
      }
      fft_radix2(buffer, twiddles);
      for (int64_t k = 0; k < bins; ++k) {
        // numpy stores the spectrum as complex64 before |.|^2 in float64.
        const double re = static_cast<float>(buffer[static_cast<size_t>(k)].real());
        const double im = static_cast<float>(buffer[static_cast<size_t>(k)].imag());
        power[static_cast<size_t>(k)] = re * re + im * im;  // |X|^2 (numpy: hypot, squared; equal to ~1 ulp)
      }
      for (int64_t m = 0; m < num_mel_filters; ++m) {
        double acc = 0.0;
        for (int64_t k = band[static_cast<size_t>(m)].first; k < band[static_cast<size_t>(m)].second; ++k)
          acc += mel_filters[static_cast<size_t>(k * num_mel_filters + m)] * power[static_cast<size_t>(k)];
        out[t * static_cast<size_t>(num_mel_filters) + static_cast<size_t>(m)] =
            static_cast<float>(10.0 * std::log10(std::max(1e-10, acc)));
      }
    }
  });
  return out;
}

}  // namespace foley::models
