// Spectrogram FFT candidates on foley's workload: one real FFT per image
// column (1024 points, Hann-windowed float frames), 600 columns an image.
// Prints, per library, the time to set a transform up and the time per image,
// best of several rounds, so the choice in docs/report.md rests on numbers.
#include <fftw3.h>
#include <kissfft/kiss_fftr.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kColumns = 600;
constexpr int kRounds = 20;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<float> frames(int n) {
  std::vector<float> x(static_cast<size_t>(n) * kColumns);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.001 * i * i / x.size() * 3000.0));
  return x;
}

// A checksum both libraries must agree on (sum of magnitudes).
template <typename Transform>
double run_image(int n, const std::vector<float>& input, Transform&& transform) {
  std::vector<float> frame(n);
  double sum = 0.0;
  for (int c = 0; c < kColumns; ++c) {
    for (int i = 0; i < n; ++i) {
      float w = 0.5f - 0.5f * std::cos(2.0f * static_cast<float>(M_PI) * i / n);
      frame[i] = input[static_cast<size_t>(c) * n + i] * w;
    }
    sum += transform(frame.data());
  }
  return sum;
}

void bench(int n) {
  std::vector<float> input = frames(n);

  // FFTW, single precision, planned with FFTW_ESTIMATE (no timing runs; what a
  // short-lived process can afford) and with FFTW_MEASURE.
  for (unsigned flags : {unsigned(FFTW_ESTIMATE), unsigned(FFTW_MEASURE)}) {
    float* in = fftwf_alloc_real(n);
    fftwf_complex* out = fftwf_alloc_complex(n / 2 + 1);
    auto t0 = Clock::now();
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in, out, flags);
    double setup = seconds_since(t0);
    double best = 1e9, check = 0.0;
    for (int r = 0; r < kRounds; ++r) {
      auto t1 = Clock::now();
      check = run_image(n, input, [&](const float* f) {
        std::copy(f, f + n, in);
        fftwf_execute(plan);
        double s = 0.0;
        for (int k = 0; k <= n / 2; ++k) s += std::hypot(out[k][0], out[k][1]);
        return s;
      });
      best = std::min(best, seconds_since(t1));
    }
    std::printf("n=%-5d fftw3f %-8s setup %9.1f us  image %8.3f ms  (checksum %.6e)\n", n,
                flags == FFTW_ESTIMATE ? "estimate" : "measure", setup * 1e6, best * 1e3, check);
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
  }

  // KissFFT, float, real transform.
  auto t0 = Clock::now();
  kiss_fftr_cfg cfg = kiss_fftr_alloc(n, 0, nullptr, nullptr);
  double setup = seconds_since(t0);
  std::vector<kiss_fft_cpx> out(n / 2 + 1);
  double best = 1e9, check = 0.0;
  for (int r = 0; r < kRounds; ++r) {
    auto t1 = Clock::now();
    check = run_image(n, input, [&](const float* f) {
      kiss_fftr(cfg, f, out.data());
      double s = 0.0;
      for (int k = 0; k <= n / 2; ++k) s += std::hypot(out[k].r, out[k].i);
      return s;
    });
    best = std::min(best, seconds_since(t1));
  }
  std::printf("n=%-5d kissfft float    setup %9.1f us  image %8.3f ms  (checksum %.6e)\n", n, setup * 1e6,
              best * 1e3, check);
  kiss_fftr_free(cfg);
}

}  // namespace

int main() {
  for (int n : {512, 1024, 2048}) bench(n);
  return 0;
}
