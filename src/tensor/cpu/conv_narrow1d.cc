// Direct 1-D convolution for narrow layers (conv_narrow1d.h): the padded,
// activated input copy and the split of the work; the sums and the epilogue
// are the vector kernel's (conv_narrow1d_simd.h).
#include "tensor/cpu/conv_narrow1d.h"

#include <algorithm>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_kernels.h"

namespace foley::tensor::cpu {
namespace {

// Outputs per task: whole vectors, enough work per task to pay for its start.
constexpr int64_t kSpan = 1024;

}  // namespace

bool narrow_conv1d_wanted(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t groups,
                          int64_t out_len) {
  if (conv_algorithm() != ConvAlgorithm::kAuto || simd_kernels() == nullptr) return false;
  if (stride != 1 || groups != 1 || out_len < 64 || winograd1d_wanted(c_in, c_out, kernel, stride, groups, out_len))
    return false;
  const int64_t narrow = winograd1d_min_channels();
  return c_out < narrow && c_in <= 4 * narrow;
}

Tensor narrow_conv1d_if_wanted(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                               const Conv1dOptions& o, const Conv1dEpilogue& epilogue) {
  if (x_in.dim() != 3 || weight_in.dim() != 3 || !x_in.device().is_cpu() || !weight_in.device().is_cpu() ||
      !is_floating(x_in.dtype()) || !is_floating(weight_in.dtype()) || o.padding < 0 || o.dilation < 1)
    return {};
  const int64_t n = x_in.size(0), c_in = x_in.size(1), len = x_in.size(2);
  const int64_t c_out = weight_in.size(0), k = weight_in.size(2);
  if (weight_in.size(1) != c_in) return {};
  if (bias_in.defined() && (!bias_in.device().is_cpu() || !is_floating(bias_in.dtype()) || bias_in.dim() != 1 ||
                            bias_in.size(0) != c_out))
    return {};
  const int64_t out_len = len + 2 * o.padding - o.dilation * (k - 1);
  if (!narrow_conv1d_wanted(c_in, c_out, k, o.stride, o.groups, out_len)) return {};
  const SimdKernels* simd = simd_kernels();
  const Tensor x = as_f32(x_in), weight = as_f32(weight_in), bias = as_f32(bias_in);
  Conv1dEpilogue ep = epilogue;
  if (bias.defined()) ep.bias = bias.data<float>();

  // xp[img][ci][j] = in_act(x[img][ci][j - padding]), zero outside the input and for 16 floats past lp.
  const int64_t lp = out_len + o.dilation * (k - 1), row = lp + 16;
  float* xp = thread_scratch(Scratch::kConvSrc, static_cast<size_t>(n * c_in * row) * sizeof(float));
  const float* px = x.data<float>();
  const bool act = ep.has_input_slope;
  const float slope = ep.input_slope;
  parallel_for(n * c_in, std::max<int64_t>(1, 32768 / row), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* src = px + r * len;
      float* dst = xp + r * row;
      const int64_t lo = std::min(o.padding, row), hi = std::min(o.padding + len, row);
      std::fill(dst, dst + lo, 0.0f);
      for (int64_t j = lo; j < hi; ++j) {
        const float v = src[j - o.padding];
        dst[j] = act && !(v > 0.0f) ? v * slope : v;
      }
      std::fill(dst + hi, dst + row, 0.0f);
    }
  });

  // Tasks: images x groups of 4 output channels x spans of kSpan outputs.
  Tensor out = Tensor::empty({n, c_out, out_len});
  float* py = out.data<float>();
  const int64_t groups = (c_out + 3) / 4, spans = (out_len + kSpan - 1) / kSpan;
  const float* w = weight.data<float>();
  const float* r1 = ep.residual;
  const float* r2 = ep.residual2;
  parallel_for(n * groups * spans, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t img = t / (groups * spans), g = t / spans % groups, s = t % spans;
      const int64_t image = img * c_out * out_len;
      const NarrowConv1d p{xp + img * c_in * row, row, c_in, w, k, o.dilation, py + image, out_len,
                           r1 ? r1 + image : nullptr, r2 ? r2 + image : nullptr, &ep};
      simd->narrow_conv1d(p, 4 * g, std::min(c_out, 4 * g + 4), s * kSpan, std::min(out_len, (s + 1) * kSpan));
    }
  });
  return out;
}

}  // namespace foley::tensor::cpu
