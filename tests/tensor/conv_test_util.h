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

// f32 values as doubles (a reference for testing::deviation).
inline std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

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

// PyTorch's definition: every input position scatters into the output.
inline std::vector<float> naive_conv_transpose1d(const Tensor& x, const Tensor& w, const Tensor& b,
                                                 const ConvTranspose1dOptions& o, int64_t& out_len) {
  const int64_t n = x.size(0), cin = x.size(1), len = x.size(2), og = w.size(1), k = w.size(2);
  const int64_t cg = cin / o.groups, cout = og * o.groups;
  out_len = (len - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + o.output_padding + 1;
  std::vector<double> acc(static_cast<size_t>(n * cout * out_len), 0.0);
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32();
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ci = 0; ci < cin; ++ci)
      for (int64_t l = 0; l < len; ++l)
        for (int64_t co = 0; co < og; ++co)
          for (int64_t kk = 0; kk < k; ++kk) {
            const int64_t t = l * o.stride - o.padding + kk * o.dilation;
            if (t < 0 || t >= out_len) continue;
            const int64_t c_out = (ci / cg) * og + co;
            acc[static_cast<size_t>((img * cout + c_out) * out_len + t)] +=
                static_cast<double>(xv[static_cast<size_t>((img * cin + ci) * len + l)]) *
                wv[static_cast<size_t>((ci * og + co) * k + kk)];
          }
  std::vector<float> out(acc.size());
  const auto bv = b.defined() ? b.to_vector_f32() : std::vector<float>(static_cast<size_t>(cout), 0.0f);
  for (size_t i = 0; i < acc.size(); ++i)
    out[i] = static_cast<float>(acc[i] + bv[(i / static_cast<size_t>(out_len)) % static_cast<size_t>(cout)]);
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
