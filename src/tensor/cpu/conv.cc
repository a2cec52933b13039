// Convolutions on the CPU. Two implementations (tensor/cpu/conv.h):
// - im2col (in bands of output rows, to bound memory) followed by one GEMM per
//   band and group; transposed conv as GEMM + col2im;
// - oneDNN direct convolution / deconvolution (conv_direct.h), chosen here per
//   shape by the algorithm in effect.
// conv1d is conv2d with a height of 1.
#include "tensor/cpu/conv.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv_direct.h"
#include "tensor/cpu/conv_narrow1d.h"
#include "tensor/cpu/conv_transpose_phases.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/conv_winograd2d.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

// Bytes of im2col buffer we allow per band; bigger bands do not speed up GEMM.
constexpr int64_t kColumnBudget = 8 << 20;

struct Conv2dGeometry {
  int64_t n, c_in, h, w, c_out, kh, kw, oh, ow, groups;
  Conv2dOptions o;
};

// Fills col[(c, i, j), (r, x)] for output rows [row0, row0+rows) of channels
// [c0, c0+channels) of one image.
void im2col(const float* image, const Conv2dGeometry& g, int64_t c0, int64_t channels, int64_t row0, int64_t rows,
            float* col) {
  const int64_t cols = rows * g.ow;
  cpu::parallel_for(channels * g.kh * g.kw, 8, [&](int64_t begin, int64_t end) {
    for (int64_t q = begin; q < end; ++q) {
      const int64_t c = q / (g.kh * g.kw), i = (q / g.kw) % g.kh, j = q % g.kw;
      const float* plane = image + (c0 + c) * g.h * g.w;
      float* dst = col + q * cols;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t y = (row0 + r) * g.o.stride_h - g.o.padding_h + i * g.o.dilation_h;
        float* d = dst + r * g.ow;
        if (y < 0 || y >= g.h) {
          std::fill(d, d + g.ow, 0.0f);
          continue;
        }
        const float* src_row = plane + y * g.w;
        for (int64_t x = 0; x < g.ow; ++x) {
          const int64_t xs = x * g.o.stride_w - g.o.padding_w + j * g.o.dilation_w;
          d[x] = (xs >= 0 && xs < g.w) ? src_row[xs] : 0.0f;
        }
      }
    }
  });
}

// A 1x1 convolution (stride 1, no padding, one group) as one GEMM per image through copies whose planes are
// padded (gemm.h padded_row_stride): planes of a multiple of 512 pixels lie a multiple of 2 KiB apart, and the
// GEMM read them at half speed (AVX2: 256 -> 256 channels on 128x8, batch 2, 3.0 ms; 1.6 ms for a 130x8 plane).
void pointwise_padded(const Conv2dGeometry& g, const float* px, const float* pw, const float* bias, float* py) {
  const int64_t plane = g.oh * g.ow, ld = padded_row_stride(plane);
  float* xs = thread_scratch(Scratch::kConvSrc, sizeof(float) * static_cast<size_t>(g.c_in * ld));
  float* ys = thread_scratch(Scratch::kConvDst, sizeof(float) * static_cast<size_t>(g.c_out * ld));
  for (int64_t img = 0; img < g.n; ++img) {
    const float* image = px + img * g.c_in * plane;
    float* result = py + img * g.c_out * plane;
    cpu::parallel_for(g.c_in, 16, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) std::copy(image + c * plane, image + (c + 1) * plane, xs + c * ld);
    });
    cpu::sgemm(false, false, g.c_out, plane, g.c_in, 1.0f, pw, g.c_in, xs, ld, 0.0f, ys, ld);
    cpu::parallel_for(g.c_out, 16, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const float* src = ys + c * ld;
        float* dst = result + c * plane;
        const float b = bias ? bias[c] : 0.0f;
        for (int64_t i = 0; i < plane; ++i) dst[i] = src[i] + b;
      }
    });
  }
}

ConvAlgorithm initial_algorithm() {
  const char* env = std::getenv("FOLEY_CONV");
  if (env && std::string(env) == "im2col") return ConvAlgorithm::kIm2col;
  if (env && std::string(env) == "direct") return ConvAlgorithm::kDirect;
  return ConvAlgorithm::kAuto;
}

std::atomic<ConvAlgorithm>& algorithm_slot() {
  static std::atomic<ConvAlgorithm> slot{initial_algorithm()};
  return slot;
}

Tensor conv2d_impl(const char* op, const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                   const Conv2dOptions& o) {
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  cpu::require_float(op, "weight", weight_in);
  if (x_in.dim() != 4 || weight_in.dim() != 4) cpu::fail(op, "bad ranks: input " + x_in.to_string() + ", weight " + weight_in.to_string());
  if (o.groups < 1 || o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1 || o.padding_h < 0 ||
      o.padding_w < 0)
    cpu::fail(op, "stride, dilation and groups must be >= 1 and padding >= 0");
  Conv2dGeometry g{x_in.size(0), x_in.size(1), x_in.size(2), x_in.size(3), weight_in.size(0),
                   weight_in.size(2), weight_in.size(3), 0, 0, o.groups, o};
  if (g.c_in % g.groups != 0 || g.c_out % g.groups != 0 || weight_in.size(1) != g.c_in / g.groups)
    cpu::fail(op, "input " + x_in.to_string() + " does not match weight " + weight_in.to_string() + " with groups=" +
                      std::to_string(g.groups));
  if (bias_in.defined() && (bias_in.dim() != 1 || bias_in.size(0) != g.c_out))
    cpu::fail(op, "bias " + bias_in.to_string() + " does not match " + std::to_string(g.c_out) + " output channels");
  const int64_t eff_h = o.dilation_h * (g.kh - 1) + 1, eff_w = o.dilation_w * (g.kw - 1) + 1;
  g.oh = (g.h + 2 * o.padding_h - eff_h) / o.stride_h + 1;
  g.ow = (g.w + 2 * o.padding_w - eff_w) / o.stride_w + 1;
  if (g.h + 2 * o.padding_h < eff_h || g.w + 2 * o.padding_w < eff_w)
    cpu::fail(op, "input " + x_in.to_string() + " is smaller than the kernel " + weight_in.to_string());

  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  Tensor out = Tensor::empty({g.n, g.c_out, g.oh, g.ow});
  if (winograd2d_wanted(g.c_in, g.c_out, g.kh, g.kw, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, g.groups,
                        g.n, g.oh, g.ow)) {
    winograd_conv2d(x, weight_in, weight, bias, o.padding_h, o.padding_w, out);
    return out;
  }
  if (want_direct(g.kh * g.kw, g.oh * g.ow, g.groups)) {
    const DirectSpec s{g.n, g.c_in, g.h, g.w, g.c_out, g.kh, g.kw, g.oh, g.ow, o.stride_h, o.stride_w, o.padding_h,
                       o.padding_w, o.padding_h, o.padding_w, o.dilation_h, o.dilation_w, bias.defined() ? 1 : 0, 0};
    const int64_t tile = tile_length(s);
    if (tile > 0 ? run_direct_tiled(s, tile, x, weight_in, weight, bias, out)
                 : run_direct(s, x, weight_in, weight, bias, out))
      return out;
  }
  const int64_t cin_g = g.c_in / g.groups, cout_g = g.c_out / g.groups;
  const int64_t kdim = cin_g * g.kh * g.kw;
  const int64_t out_plane = g.oh * g.ow;
  const bool pointwise = g.kh == 1 && g.kw == 1 && o.stride_h == 1 && o.stride_w == 1 && o.padding_h == 0 &&
                         o.padding_w == 0;
  const int64_t rows_per_band =
      pointwise ? g.oh : std::clamp<int64_t>(kColumnBudget / 4 / std::max<int64_t>(1, kdim * g.ow), 1, g.oh);
  std::vector<float> col(pointwise ? 0 : static_cast<size_t>(kdim * rows_per_band * g.ow));
  const float* px = x.data<float>();
  const float* pw = weight.data<float>();
  float* py = out.data<float>();
  if (pointwise && g.groups == 1 && row_stride_aliases(out_plane)) {
    pointwise_padded(g, px, pw, bias.defined() ? bias.data<float>() : nullptr, py);
    return out;
  }
  for (int64_t img = 0; img < g.n; ++img) {
    const float* image = px + img * g.c_in * g.h * g.w;
    float* result = py + img * g.c_out * out_plane;
    if (bias.defined()) {
      const float* b = bias.data<float>();
      for (int64_t c = 0; c < g.c_out; ++c) std::fill(result + c * out_plane, result + (c + 1) * out_plane, b[c]);
    }
    const float beta = bias.defined() ? 1.0f : 0.0f;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* w_g = pw + grp * cout_g * kdim;
      float* y_g = result + grp * cout_g * out_plane;
      if (pointwise) {
        cpu::sgemm(false, false, cout_g, out_plane, kdim, 1.0f, w_g, kdim, image + grp * cin_g * g.h * g.w,
                   out_plane, beta, y_g, out_plane);
        continue;
      }
      for (int64_t row0 = 0; row0 < g.oh; row0 += rows_per_band) {
        const int64_t rows = std::min(rows_per_band, g.oh - row0);
        im2col(image, g, grp * cin_g, cin_g, row0, rows, col.data());
        cpu::sgemm(false, false, cout_g, rows * g.ow, kdim, 1.0f, w_g, kdim, col.data(), rows * g.ow, beta,
                   y_g + row0 * g.ow, out_plane);
      }
    }
  }
  return out;
}

}  // namespace

// Measured (docs/performance.md): the direct primitive wins on every kernel wider than 1x1 with a large output
// plane and loses on the deepest UNet levels (32x2, 64x4), where its reorders cost more than the GEMM.
bool want_direct(int64_t kernel_area, int64_t out_plane, int64_t groups) {
  if (groups != 1) return false;
  switch (algorithm_slot().load(std::memory_order_relaxed)) {
    case ConvAlgorithm::kIm2col: return false;
    case ConvAlgorithm::kDirect: return true;
    case ConvAlgorithm::kAuto: break;
  }
  return kernel_area > 1 && out_plane >= kDirectMinPlane;
}

bool conv_winograd_enabled() {
  static const bool enabled = [] {
    const char* env = std::getenv("FOLEY_CONV_WINOGRAD");
    return !(env && std::string(env) == "0");
  }();
  return enabled;
}

ConvAlgorithm conv_algorithm() { return algorithm_slot().load(std::memory_order_relaxed); }
void set_conv_algorithm(ConvAlgorithm algorithm) { algorithm_slot().store(algorithm, std::memory_order_relaxed); }

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  return conv2d_impl("conv2d", x, weight, bias, options);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options) {
  if (x.dim() != 3 || weight.dim() != 3)
    cpu::fail("conv1d", "expected input [N, C, L] and weight [C_out, C_in/groups, K], got " + x.to_string() + " and " +
                            weight.to_string());
  const Tensor winograd = cpu::winograd_conv1d_if_wanted(x, weight, bias, options.stride, options.padding,
                                                         options.dilation, options.groups, {});
  if (winograd.defined()) return winograd;
  const Tensor narrow = cpu::narrow_conv1d_if_wanted(x, weight, bias, options, {});
  if (narrow.defined()) return narrow;
  Conv2dOptions o;
  o.stride_w = options.stride;
  o.padding_w = options.padding;
  o.dilation_w = options.dilation;
  o.groups = options.groups;
  const Tensor y = conv2d_impl("conv1d", x.unsqueeze(2), weight.unsqueeze(2), bias, o);
  return y.squeeze(2);
}

Tensor conv_transpose1d(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                        const ConvTranspose1dOptions& o) {
  const char* op = "conv_transpose1d";
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  cpu::require_float(op, "weight", weight_in);
  if (x_in.dim() != 3 || weight_in.dim() != 3)
    cpu::fail(op, "expected input [N, C_in, L] and weight [C_in, C_out/groups, K], got " + x_in.to_string() + " and " +
                      weight_in.to_string());
  if (o.groups < 1 || o.stride < 1 || o.dilation < 1 || o.padding < 0 || o.output_padding < 0 ||
      (o.output_padding >= o.stride && o.output_padding >= o.dilation))
    cpu::fail(op, "bad stride/padding/output_padding/dilation/groups");
  const int64_t n = x_in.size(0), c_in = x_in.size(1), len = x_in.size(2);
  const int64_t k = weight_in.size(2), groups = o.groups;
  if (weight_in.size(0) != c_in || c_in % groups != 0)
    cpu::fail(op, "input " + x_in.to_string() + " does not match weight " + weight_in.to_string());
  const int64_t cout_g = weight_in.size(1), c_out = cout_g * groups, cin_g = c_in / groups;
  if (bias_in.defined() && (bias_in.dim() != 1 || bias_in.size(0) != c_out))
    cpu::fail(op, "bias " + bias_in.to_string() + " does not match " + std::to_string(c_out) + " output channels");
  const int64_t out_len = (len - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + o.output_padding + 1;
  if (out_len <= 0) cpu::fail(op, "output length would be " + std::to_string(out_len));
  const Tensor phases = cpu::conv_transpose1d_by_phases_if_wanted(x_in, weight_in, bias_in, o);
  if (phases.defined()) return phases;

  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  Tensor out = Tensor::empty({n, c_out, out_len});
  if (want_direct(k, out_len, groups) && o.padding >= o.output_padding) {
    const DirectSpec s{n, c_in, 1, len, c_out, 1, k, 1, out_len, 1, o.stride, 0, o.padding, 0,
                       o.padding - o.output_padding, 1, o.dilation, bias.defined() ? 1 : 0, 1};
    if (run_direct(s, x, weight_in.unsqueeze(2), weight.unsqueeze(2), bias, out)) return out;
  }
  const float* px = x.data<float>();
  const float* pw = weight.data<float>();
  float* py = out.data<float>();
  // col[(co, kk), l] = sum_ci W[ci, co, kk] * x[ci, l]  (per group), then scatter-add.
  const int64_t rows = cout_g * k;
  const int64_t band = std::clamp<int64_t>(kColumnBudget / 4 / std::max<int64_t>(1, rows), 1, len);
  std::vector<float> col(static_cast<size_t>(rows * band));
  for (int64_t img = 0; img < n; ++img) {
    float* result = py + img * c_out * out_len;
    if (bias.defined()) {
      const float* b = bias.data<float>();
      for (int64_t c = 0; c < c_out; ++c) std::fill(result + c * out_len, result + (c + 1) * out_len, b[c]);
    } else {
      std::fill(result, result + c_out * out_len, 0.0f);
    }
    for (int64_t grp = 0; grp < groups; ++grp) {
      const float* x_g = px + (img * c_in + grp * cin_g) * len;
      const float* w_g = pw + grp * cin_g * rows;
      float* y_g = result + grp * cout_g * out_len;
      for (int64_t l0 = 0; l0 < len; l0 += band) {
        const int64_t cols = std::min(band, len - l0);
        cpu::sgemm(true, false, rows, cols, cin_g, 1.0f, w_g, rows, x_g + l0, len, 0.0f, col.data(), cols);
        // Each output channel is written by one thread only.
        cpu::parallel_for(cout_g, 4, [&](int64_t begin, int64_t end) {
          for (int64_t co = begin; co < end; ++co) {
            float* y = y_g + co * out_len;
            for (int64_t kk = 0; kk < k; ++kk) {
              const float* c = col.data() + (co * k + kk) * cols;
              const int64_t shift = kk * o.dilation - o.padding;
              for (int64_t l = 0; l < cols; ++l) {
                const int64_t t = (l0 + l) * o.stride + shift;
                if (t >= 0 && t < out_len) y[t] += c[l];
              }
            }
          }
        });
      }
    }
  }
  return out;
}

}  // namespace foley::tensor::cpu
