#pragma once

// Helpers shared by the convolution tests: pinning the algorithm for a scope,
// and conv1d by its definition in double.

#include <cstdint>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/tensor.h"

namespace foley::tensor::testing {

// Sets the conv algorithm for one scope and restores the previous one.
class ScopedConvAlgorithm {
 public:
  explicit ScopedConvAlgorithm(cpu::ConvAlgorithm a) : saved_(cpu::conv_algorithm()) { cpu::set_conv_algorithm(a); }
  ~ScopedConvAlgorithm() { cpu::set_conv_algorithm(saved_); }
  ScopedConvAlgorithm(const ScopedConvAlgorithm&) = delete;
  ScopedConvAlgorithm& operator=(const ScopedConvAlgorithm&) = delete;

 private:
  cpu::ConvAlgorithm saved_;
};

// y = conv1d(x, w) + b in double (stride 1, groups 1, zero padding).
inline std::vector<double> reference_conv1d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t padding,
                                            int64_t dilation) {
  const int64_t n = x.size(0), cin = x.size(1), len = x.size(2), cout = w.size(0), k = w.size(2);
  const int64_t out_len = len + 2 * padding - dilation * (k - 1);
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32(), bv = b.to_vector_f32();
  std::vector<double> out(static_cast<size_t>(n * cout * out_len));
  for (int64_t img = 0; img < n; ++img)
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t l = 0; l < out_len; ++l) {
        double acc = bv[static_cast<size_t>(co)];
        for (int64_t ci = 0; ci < cin; ++ci)
          for (int64_t t = 0; t < k; ++t) {
            const int64_t s = l - padding + t * dilation;
            if (s < 0 || s >= len) continue;
            acc += static_cast<double>(xv[static_cast<size_t>((img * cin + ci) * len + s)]) *
                   wv[static_cast<size_t>((co * cin + ci) * k + t)];
          }
        out[static_cast<size_t>((img * cout + co) * out_len + l)] = acc;
      }
  return out;
}

}  // namespace foley::tensor::testing
