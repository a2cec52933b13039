#include "report/real_fft.h"

#include <kiss_fftr.h>

#include <cmath>

#include "common/error.h"

namespace foley::report {

struct RealFft::State {
  kiss_fftr_cfg cfg = nullptr;
  std::vector<kiss_fft_cpx> bins;
  ~State() { kiss_fftr_free(cfg); }
};

RealFft::RealFft(int size) : size_(size), state_(std::make_unique<State>()) {
  // kiss_fftr needs an even length.
  if (size < 2 || size % 2 != 0) throw Error("FFT size must be even and at least 2, got " + std::to_string(size));
  state_->cfg = kiss_fftr_alloc(size, 0, nullptr, nullptr);
  if (state_->cfg == nullptr) throw Error("cannot set up a " + std::to_string(size) + "-point FFT");
  state_->bins.resize(static_cast<size_t>(size) / 2 + 1);
}

RealFft::~RealFft() = default;

void RealFft::magnitudes(const float* frame, std::vector<float>& out) {
  kiss_fftr(state_->cfg, frame, state_->bins.data());
  out.resize(state_->bins.size());
  for (size_t k = 0; k < out.size(); ++k) out[k] = std::sqrt(state_->bins[k].r * state_->bins[k].r + state_->bins[k].i * state_->bins[k].i);
}

}  // namespace foley::report
