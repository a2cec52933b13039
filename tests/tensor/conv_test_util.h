#pragma once

// Helpers shared by the convolution tests: pinning the algorithm for a scope,
// conv1d by its definition in double, and the fusion that ends a HiFi-GAN
// resblock with the unfused ops it stands for.

#include <cstdint>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/ops.h"
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

// A HiFi-GAN resblock's last convolution: leaky ReLU 0.1 in, two residuals, a third, leaky ReLU 0.01 out.
inline Conv1dFusion resblock_end_fusion(const Tensor& r1, const Tensor& r2) {
  Conv1dFusion f;
  f.input_slope = 0.1;
  f.residual = r1;
  f.residual2 = r2;
  f.output_scale = 1.0 / 3.0;
  f.output_slope = 0.01;
  return f;
}

// resblock_end_fusion's convolution composed from the separate ops.
inline Tensor resblock_end_composed(const Tensor& x, const Tensor& w, const Tensor& b, const Conv1dOptions& o,
                                    const Tensor& r1, const Tensor& r2) {
  return leaky_relu(scale(add(add(conv1d(leaky_relu(x, 0.1), w, b, o), r1), r2), 1.0 / 3.0), 0.01);
}

}  // namespace foley::tensor::testing
