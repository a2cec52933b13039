// Normalisations on the CPU. Statistics are two-pass (mean, then centred
// variance) and summed in double: element by element on the scalar path, by
// blocks of f32 vector sums on the vector ones (norm_simd.h); at least as
// accurate as torch either way.
#include <cmath>

#include "tensor/cpu/common.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

void check_affine(const char* op, const Tensor& t, const char* what, int64_t size) {
  if (!t.defined()) return;
  cpu::require_float(op, what, t);
  if (t.numel() != size)
    cpu::fail(op, std::string(what) + " " + t.to_string() + " does not have " + std::to_string(size) + " elements");
}

// Applies fn(rows_in, rows_out, count) to ranges of rows of length `d` of x in
// parallel, each range at least `min_elements` long.
template <typename Fn>
Tensor map_row_ranges(const Tensor& x, int64_t d, int64_t min_elements, Fn&& fn) {
  Tensor out = Tensor::empty(x.shape());
  const int64_t rows = d == 0 ? 0 : x.numel() / d;
  const float* px = x.data<float>();
  float* py = out.data<float>();
  cpu::parallel_for(rows, std::max<int64_t>(1, min_elements / std::max<int64_t>(1, d)),
                    [&](int64_t begin, int64_t end) { fn(px + begin * d, py + begin * d, end - begin); });
  return out;
}

// Applies fn(row_in, row_out) to each row of length `d` of x in parallel.
// Rows of fewer than 32 K elements in all stay on the calling thread (as in
// elementwise.cc): the fork/join would cost more than the loop.
template <typename Fn>
Tensor map_rows(const Tensor& x, int64_t d, Fn&& fn) {
  return map_row_ranges(x, d, 32768, [&](const float* px, float* py, int64_t count) {
    for (int64_t r = 0; r < count; ++r) fn(px + r * d, py + r * d);
  });
}

}  // namespace

namespace {

// d[i] = s[i] * scale + shift, then SiLU when `silu`: the same f32 operations as group_norm followed by
// tensor::silu (multiply, then add; the vector SiLU where silu uses it), so the fused op equals the composition.
void affine_row(const float* s, float* d, int64_t n, float scale, float shift, bool silu,
                const cpu::SimdKernels* simd) {
  if (silu && simd) {
    simd->affine_silu(s, d, n, scale, shift);
    return;
  }
  for (int64_t i = 0; i < n; ++i) d[i] = s[i] * scale + shift;
  if (silu)
    for (int64_t i = 0; i < n; ++i) d[i] = cpu::silu_scalar(d[i]);
}

Tensor group_norm_impl(const char* op, const Tensor& x_in, int64_t num_groups, const Tensor& weight_in,
                       const Tensor& bias_in, double eps, bool silu) {
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  if (x_in.dim() < 2) cpu::fail(op, "expected [N, C, *], got " + x_in.to_string());
  const int64_t n = x_in.size(0), c = x_in.size(1);
  if (num_groups < 1 || c % num_groups != 0)
    cpu::fail(op, std::to_string(c) + " channels cannot be split into " + std::to_string(num_groups) + " groups");
  check_affine(op, weight_in, "weight", c);
  check_affine(op, bias_in, "bias", c);
  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  const int64_t spatial = c == 0 ? 0 : x.numel() / (n * c);
  const int64_t cg = c / num_groups;
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.data<float>();
  const float* pw = weight.defined() ? weight.data<float>() : nullptr;
  const float* pb = bias.defined() ? bias.data<float>() : nullptr;
  float* py = out.data<float>();
  const cpu::SimdKernels* simd = cpu::simd_kernels();
  cpu::parallel_for(n * num_groups, 1, [&](int64_t begin, int64_t end) {
    for (int64_t ng = begin; ng < end; ++ng) {
      const int64_t count = cg * spatial;
      const float* src = px + ng * count;
      float* dst = py + ng * count;
      double mean = 0, sq = 0;
      if (simd && count) {
        mean = simd->norm_sum(src, count) / count;
        sq = simd->norm_sum_sq_dev(src, count, static_cast<float>(mean));
      } else {
        double sum = 0;
        for (int64_t i = 0; i < count; ++i) sum += src[i];
        mean = count ? sum / count : 0.0;
        for (int64_t i = 0; i < count; ++i) sq += (src[i] - mean) * (src[i] - mean);
      }
      const double inv = 1.0 / std::sqrt((count ? sq / count : 0.0) + eps);
      const int64_t group = ng % num_groups;
      for (int64_t ch = 0; ch < cg; ++ch) {
        const int64_t channel = group * cg + ch;
        const float scale = static_cast<float>(inv) * (pw ? pw[channel] : 1.0f);
        const float shift = (pb ? pb[channel] : 0.0f) - static_cast<float>(mean) * scale;
        const float* s = src + ch * spatial;
        float* d = dst + ch * spatial;
        affine_row(s, d, spatial, scale, shift, silu, simd);
      }
    }
  });
  return out;
}

}  // namespace

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  return group_norm_impl("group_norm", x, num_groups, weight, bias, eps, false);
}

Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  return group_norm_impl("group_norm_silu", x, num_groups, weight, bias, eps, true);
}

Tensor layer_norm(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, double eps) {
  const char* op = "layer_norm";
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  if (x_in.dim() < 1) cpu::fail(op, "needs at least one dim");
  const int64_t d = x_in.size(-1);
  check_affine(op, weight_in, "weight", d);
  check_affine(op, bias_in, "bias", d);
  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  const float* pw = weight.defined() ? weight.data<float>() : nullptr;
  const float* pb = bias.defined() ? bias.data<float>() : nullptr;
  if (const cpu::SimdKernels* simd = cpu::simd_kernels()) {
    // Ranges of at least 4 K elements: a row costs a few cycles an element
    // (two reductions, a square root), so the fork/join pays off far below
    // map_rows' 32 K.
    return map_row_ranges(x, d, 4096, [&](const float* px, float* py, int64_t count) {
      simd->layer_norm_rows(px, py, count, d, eps, pw, pb);
    });
  }
  return map_rows(x, d, [&](const float* src, float* dst) {
    double sum = 0;
    for (int64_t i = 0; i < d; ++i) sum += src[i];
    const double mean = sum / d;
    double sq = 0;
    for (int64_t i = 0; i < d; ++i) sq += (src[i] - mean) * (src[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(sq / d + eps));
    const float m = static_cast<float>(mean);
    for (int64_t i = 0; i < d; ++i) {
      const float v = (src[i] - m) * inv;
      dst[i] = v * (pw ? pw[i] : 1.0f) + (pb ? pb[i] : 0.0f);
    }
  });
}

Tensor rms_norm(const Tensor& x_in, const Tensor& weight_in, double eps) {
  const char* op = "rms_norm";
  cpu::require_cpu(op, {&x_in, &weight_in});
  cpu::require_float(op, "input", x_in);
  if (x_in.dim() < 1) cpu::fail(op, "needs at least one dim");
  const int64_t d = x_in.size(-1);
  check_affine(op, weight_in, "weight", d);
  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in);
  const float* pw = weight.defined() ? weight.data<float>() : nullptr;
  return map_rows(x, d, [&](const float* src, float* dst) {
    double sq = 0;
    for (int64_t i = 0; i < d; ++i) sq += static_cast<double>(src[i]) * src[i];
    const float inv = static_cast<float>(1.0 / std::sqrt(sq / d + eps));
    for (int64_t i = 0; i < d; ++i) dst[i] = (src[i] * inv) * (pw ? pw[i] : 1.0f);
  });
}

Tensor l2_normalize(const Tensor& x_in, int64_t dim, double eps) {
  const char* op = "l2_normalize";
  cpu::require_cpu(op, {&x_in});
  cpu::require_float(op, "input", x_in);
  const int64_t last = x_in.dim() - 1;
  const int64_t w = x_in.wrap_dim(dim);
  if (w != last) return cpu::l2_normalize(x_in.transpose(w, last), -1, eps).transpose(w, last);
  const Tensor x = cpu::as_f32(x_in);
  const int64_t d = x.size(-1);
  return map_rows(x, d, [&](const float* src, float* dst) {
    double sq = 0;
    for (int64_t i = 0; i < d; ++i) sq += static_cast<double>(src[i]) * src[i];
    const float inv = static_cast<float>(1.0 / std::max(std::sqrt(sq), eps));
    for (int64_t i = 0; i < d; ++i) dst[i] = src[i] * inv;
  });
}

}  // namespace foley::tensor::cpu
