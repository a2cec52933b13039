// Transposed 1-D convolution by phases (conv_transpose_phases.h says why and how).
#include "tensor/cpu/conv_transpose_phases.h"

#include <algorithm>
#include <memory>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/transformed_weight_cache.h"

namespace foley::tensor::cpu {
namespace {

// Taps per phase.
int64_t phase_taps(int64_t k, int64_t stride) { return (k + stride - 1) / stride; }

// Ws[r C_out + co][ci][m - 1 - j] = W[ci][co][r + s j] (zero past the kernel): phase r's taps in correlation
// order, so that phase r of output q reads the input padded by m - 1 on the left at q .. q + m - 1.
Tensor stack_phases(const Tensor& weight, int64_t stride) {
  const int64_t c_in = weight.size(0), c_out = weight.size(1), k = weight.size(2), m = phase_taps(k, stride);
  Tensor stacked = Tensor::zeros({stride * c_out, c_in, m});
  const float* w = weight.data<float>();
  float* ws = stacked.data<float>();
  parallel_for(stride * c_out, 16, [&](int64_t begin, int64_t end) {
    for (int64_t oc = begin; oc < end; ++oc) {
      const int64_t r = oc / c_out, co = oc % c_out;
      for (int64_t ci = 0; ci < c_in; ++ci)
        for (int64_t j = 0; j < m && r + stride * j < k; ++j)
          ws[(oc * c_in + ci) * m + (m - 1 - j)] = w[(ci * c_out + co) * k + r + stride * j];
    }
  });
  return stacked;
}

TransformedWeightCache<Tensor>& phase_cache() {
  static auto* cache = new TransformedWeightCache<Tensor>;
  return *cache;
}

}  // namespace

Tensor conv_transpose1d_by_phases_if_wanted(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                                            const ConvTranspose1dOptions& o) {
  if (x_in.dim() != 3 || weight_in.dim() != 3 || !x_in.device().is_cpu() || !weight_in.device().is_cpu() ||
      !is_floating(x_in.dtype()) || !is_floating(weight_in.dtype()))
    return {};
  if (o.groups != 1 || o.dilation != 1 || o.stride < 2 || o.padding < 0 || o.output_padding < 0 ||
      o.output_padding >= o.stride)
    return {};
  const int64_t n = x_in.size(0), c_in = x_in.size(1), len = x_in.size(2), k = weight_in.size(2);
  const int64_t c_out = weight_in.size(1), s = o.stride, m = phase_taps(k, s);
  // A kernel that is not a multiple of the stride gives phases of unequal taps, padded with zeros in the stack:
  // HiFi-GAN's stride-5, 16-tap layer ran 10 % faster that way but its Winograd weights took 168 MB (5x the
  // kernel; oneDNN's copy 34 MB), so such kernels stay with the deconvolution.
  if (weight_in.size(0) != c_in || len < 1 || k < 1 || k % s != 0) return {};
  if (bias_in.defined() && (!bias_in.device().is_cpu() || !is_floating(bias_in.dtype()) || bias_in.dim() != 1 ||
                            bias_in.size(0) != c_out))
    return {};
  const int64_t out_len = (len - 1) * s - 2 * o.padding + (k - 1) + o.output_padding + 1;
  const int64_t phase_len = len + m - 1;  // outputs q of each phase that can be non-zero
  if (out_len <= 0 || !winograd1d_wanted(c_in, s * c_out, m, 1, 1, phase_len)) return {};

  const Tensor weight = as_f32(weight_in), bias = as_f32(bias_in);
  const auto stacked = phase_cache().find(weight_in, weight, [&](const Tensor& w) { return stack_phases(w, s); });
  // Padding m - 1 on both sides: phase output q for q in [0, phase_len).
  const Tensor z = winograd_conv1d_if_wanted(x_in, *stacked, Tensor(), 1, m - 1, 1, 1, {});
  if (!z.defined()) return {};

  // y[co][t] = bias[co] + z[r C_out + co][q], t + padding = q s + r; q past the phase's outputs reads only zeros.
  Tensor out = Tensor::empty({n, c_out, out_len});
  const float* pz = z.data<float>();
  const float* pb = bias.defined() ? bias.data<float>() : nullptr;
  float* py = out.data<float>();
  parallel_for(n * c_out, 4, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t img = row / c_out, c = row % c_out;
      float* y = py + row * out_len;
      const float b = pb ? pb[c] : 0.0f;
      for (int64_t r = 0; r < s; ++r) {
        const float* zr = pz + (img * s * c_out + r * c_out + c) * phase_len;
        // Outputs t = q s + r - padding in [0, out_len).
        const int64_t q0 = std::max<int64_t>(0, (o.padding - r + s - 1) / s);
        int64_t q = q0, t = q0 * s + r - o.padding;
        for (; t < out_len && q < phase_len; ++q, t += s) y[t] = b + zr[q];
        for (; t < out_len; t += s) y[t] = b;
      }
    }
  });
  return out;
}

int64_t conv_transpose_phase_cached_weights() { return phase_cache().size(); }
void clear_conv_transpose_phase_cache() { phase_cache().clear(); }

}  // namespace foley::tensor::cpu
