#pragma once

#include <memory>
#include <vector>

namespace foley::report {

// Magnitudes of the real FFT of one frame (KissFFT, float). The setup is
// immutable once made, so one RealFft may serve one thread at a time and
// several instances may run side by side.
class RealFft {
 public:
  explicit RealFft(int size);  // size: even, >= 2
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int size() const { return size_; }
  // |X[k]| for k in [0, size/2] of `frame` (size() samples).
  void magnitudes(const float* frame, std::vector<float>& out);

 private:
  struct State;
  int size_;
  std::unique_ptr<State> state_;
};

}  // namespace foley::report
