// Elementwise ops on the CPU: activations, scalar ops and binary arithmetic
// with numpy broadcasting.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "tensor/broadcast.h"
#include "tensor/cpu/common.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

// Elements below which a loop runs on the calling thread: torch's at::parallel_for
// grain. A fork/join costs microseconds idle and milliseconds on a loaded machine,
// more than a 32 K-element loop itself (T5-large at 32 tokens: 32 x 1024).
constexpr int64_t kGrain = 32768;

// Runs kernel(px, py, begin, end) over a fresh f32 output shaped like x.
template <typename Kernel>
Tensor unary_kernel(const char* op, const Tensor& x_in, int64_t grain, Kernel kernel) {
  cpu::require_cpu(op, {&x_in});
  cpu::require_float(op, "input", x_in);
  const Tensor x = cpu::as_f32(x_in);
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.data<float>();
  float* py = out.data<float>();
  cpu::parallel_for(x.numel(), grain, [&](int64_t begin, int64_t end) { kernel(px, py, begin, end); });
  return out;
}

// y = fn(x) element by element.
template <typename Fn>
Tensor unary(const char* op, const Tensor& x_in, Fn fn) {
  return unary_kernel(op, x_in, kGrain, [&fn](const float* px, float* py, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) py[i] = fn(px[i]);
  });
}

inline float gelu_exact(float x) { return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(std::numbers::sqrt2 / 2))); }

inline float gelu_tanh(float x) {
  constexpr float kBeta = 0.7978845608028654f;  // sqrt(2/pi)
  return 0.5f * x * (1.0f + std::tanh(kBeta * (x + 0.044715f * x * x * x)));
}

enum class BinaryOp { kAdd, kSub, kMul, kDiv };

// The operation as a type, so each loop below is compiled (and vectorised) for one of them.
template <BinaryOp kOp, typename T>
inline T apply(T a, T b) {
  if constexpr (kOp == BinaryOp::kAdd) return a + b;
  else if constexpr (kOp == BinaryOp::kSub) return a - b;
  else if constexpr (kOp == BinaryOp::kMul) return a * b;
  else return a / b;
}

// Iterates out = a (op) b over a broadcast shape whose adjacent dims have been
// merged where possible; the innermost dim is the fast loop. Work is split by
// rows of the innermost dim, and a row longer than the grain by chunks of it
// (two same-shape operands merge into one row).
template <BinaryOp kOp, typename T>
void broadcast_loop(const T* pa, const T* pb, T* py, const Shape& out_shape, const std::vector<int64_t>& sa,
                    const std::vector<int64_t>& sb) {
  const size_t n = out_shape.size();
  const int64_t inner = n ? out_shape[n - 1] : 1;
  const int64_t ia = n ? sa[n - 1] : 0, ib = n ? sb[n - 1] : 0;
  const int64_t outer = inner == 0 ? 0 : shape_numel(out_shape) / inner;
  const int64_t chunk = std::min(inner, kGrain), chunks = inner == 0 ? 0 : (inner + chunk - 1) / chunk;
  cpu::parallel_for(outer * chunks, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, chunk)),
                    [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / chunks, j0 = (t % chunks) * chunk, j1 = std::min(inner, j0 + chunk);
      int64_t rem = o, offset_a = 0, offset_b = 0;
      for (size_t d = n - 1; d-- > 0;) {
        const int64_t idx = rem % out_shape[d];
        rem /= out_shape[d];
        offset_a += idx * sa[d];
        offset_b += idx * sb[d];
      }
      const T* ra = pa + offset_a;
      const T* rb = pb + offset_b;
      T* ry = py + o * inner;
      // omp simd: the output is a fresh tensor (or, in place, the very element read), so lanes never overlap;
      // without it GCC leaves these loops scalar at -O2 rather than check the pointers at run time.
      if (ia == 1 && ib == 1) {
#pragma omp simd
        for (int64_t j = j0; j < j1; ++j) ry[j] = apply<kOp>(ra[j], rb[j]);
      } else if (ia == 1 && ib == 0) {
        const T bv = rb[0];
#pragma omp simd
        for (int64_t j = j0; j < j1; ++j) ry[j] = apply<kOp>(ra[j], bv);
      } else if (ia == 0 && ib == 1) {
        const T av = ra[0];
#pragma omp simd
        for (int64_t j = j0; j < j1; ++j) ry[j] = apply<kOp>(av, rb[j]);
      } else {
        for (int64_t j = j0; j < j1; ++j) ry[j] = apply<kOp>(ra[j * ia], rb[j * ib]);
      }
    }
  });
}

template <typename T>
void broadcast_loop(BinaryOp op, const T* pa, const T* pb, T* py, const Shape& out_shape,
                    const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  switch (op) {
    case BinaryOp::kAdd: return broadcast_loop<BinaryOp::kAdd>(pa, pb, py, out_shape, sa, sb);
    case BinaryOp::kSub: return broadcast_loop<BinaryOp::kSub>(pa, pb, py, out_shape, sa, sb);
    case BinaryOp::kMul: return broadcast_loop<BinaryOp::kMul>(pa, pb, py, out_shape, sa, sb);
    case BinaryOp::kDiv: return broadcast_loop<BinaryOp::kDiv>(pa, pb, py, out_shape, sa, sb);
  }
}

Tensor binary(const char* name, BinaryOp op, const Tensor& a_in, const Tensor& b_in) {
  cpu::require_cpu(name, {&a_in, &b_in});
  if (!a_in.defined() || !b_in.defined()) cpu::fail(name, "undefined operand");
  // Broadcast shape and per-operand strides.
  const Shape out_shape = broadcast_shapes(name, a_in.shape(), b_in.shape());
  const size_t n = out_shape.size();
  const std::vector<int64_t> sa = broadcast_strides(a_in.shape(), out_shape),
                             sb = broadcast_strides(b_in.shape(), out_shape);
  // Merge adjacent dims that are laid out alike in both operands.
  Shape merged_shape;
  std::vector<int64_t> ma, mb;
  for (size_t i = 0; i < n; ++i) {
    if (!merged_shape.empty() && ma.back() == sa[i] * out_shape[i] && mb.back() == sb[i] * out_shape[i]) {
      merged_shape.back() *= out_shape[i];
      ma.back() = sa[i];
      mb.back() = sb[i];
    } else {
      merged_shape.push_back(out_shape[i]);
      ma.push_back(sa[i]);
      mb.push_back(sb[i]);
    }
  }
  const bool integer = !is_floating(a_in.dtype()) && !is_floating(b_in.dtype());
  if (integer && a_in.dtype() != b_in.dtype()) cpu::fail(name, "integer operands of different dtypes");
  if (integer && a_in.dtype() == DType::kI32) {
    Tensor out = Tensor::empty(out_shape, DType::kI32);
    broadcast_loop(op, a_in.data<int32_t>(), b_in.data<int32_t>(), out.data<int32_t>(), merged_shape, ma, mb);
    return out;
  }
  if (integer) {
    Tensor out = Tensor::empty(out_shape, DType::kI64);
    broadcast_loop(op, a_in.data<int64_t>(), b_in.data<int64_t>(), out.data<int64_t>(), merged_shape, ma, mb);
    return out;
  }
  const Tensor a = a_in.to(DType::kF32), b = b_in.to(DType::kF32);
  Tensor out = Tensor::empty(out_shape);
  broadcast_loop(op, a.data<float>(), b.data<float>(), out.data<float>(), merged_shape, ma, mb);
  return out;
}

}  // namespace

// gelu and silu run the vector kernels of cpu::simd_kernels() where there are some: libm's tanhf/expf/erff cost
// 5-20 ns an element, a visible share of the UNet's resnets (SiLU), feed-forwards (GEGLU over 4 x dim per token)
// and the text encoders (gelu_new, computed as x / (1 + e^{-2u}) there: activation_simd.h).
Tensor gelu(const Tensor& x, GeluApproximation approximation) {
  const bool tanh = approximation == GeluApproximation::kTanh;
  if (const auto* k = cpu::simd_kernels())
    return unary_kernel("gelu", x, 4 * kGrain, tanh ? k->gelu_tanh : k->gelu_erf);
  return tanh ? unary("gelu", x, gelu_tanh) : unary("gelu", x, gelu_exact);
}
Tensor silu(const Tensor& x) {
  if (const auto* k = cpu::simd_kernels()) return unary_kernel("silu", x, 4 * kGrain, k->silu);
  return unary("silu", x, cpu::silu_scalar);
}
Tensor relu(const Tensor& x) {
  return unary("relu", x, [](float v) { return v > 0.0f ? v : 0.0f; });
}
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  const float slope = static_cast<float>(negative_slope);
  return unary("leaky_relu", x, [slope](float v) { return v > 0.0f ? v : v * slope; });
}
Tensor tanh(const Tensor& x) {
  return unary("tanh", x, [](float v) { return std::tanh(v); });
}
Tensor sigmoid(const Tensor& x) {
  return unary("sigmoid", x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
}
Tensor exp(const Tensor& x) {
  return unary("exp", x, [](float v) { return std::exp(v); });
}
Tensor sqrt(const Tensor& x) {
  return unary("sqrt", x, [](float v) { return std::sqrt(v); });
}
Tensor scale(const Tensor& x, double s) {
  const float f = static_cast<float>(s);
  return unary("scale", x, [f](float v) { return v * f; });
}
Tensor add_scalar(const Tensor& x, double s) {
  const float f = static_cast<float>(s);
  return unary("add_scalar", x, [f](float v) { return v + f; });
}

Tensor geglu(const Tensor& x_in) {
  cpu::require_cpu("geglu", {&x_in});
  cpu::require_float("geglu", "input", x_in);
  if (x_in.dim() < 1 || x_in.size(-1) % 2 != 0)
    cpu::fail("geglu", "last dim must be even, got " + x_in.to_string());
  const Tensor x = cpu::as_f32(x_in);
  const int64_t two_f = x.size(-1), f = two_f / 2;
  const int64_t rows = two_f == 0 ? 0 : x.numel() / two_f;
  Shape out_shape = x.shape();
  out_shape.back() = f;
  Tensor out = Tensor::empty(out_shape);
  const float* px = x.data<float>();
  float* py = out.data<float>();
  const cpu::SimdKernels* simd = cpu::simd_kernels();
  cpu::parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, f)), [&](int64_t begin, int64_t end) {
    if (simd) return simd->geglu(px, py, f, begin, end);
    for (int64_t r = begin; r < end; ++r)
      for (int64_t j = 0; j < f; ++j) py[r * f + j] = px[r * two_f + j] * gelu_exact(px[r * two_f + f + j]);
  });
  return out;
}

Tensor add(const Tensor& a, const Tensor& b) { return binary("add", BinaryOp::kAdd, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary("sub", BinaryOp::kSub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary("mul", BinaryOp::kMul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) {
  if (!is_floating(a.dtype()) && !is_floating(b.dtype()))
    for (int64_t v : b.to_vector_i64())
      if (v == 0) cpu::fail("div", "integer division by zero");
  return binary("div", BinaryOp::kDiv, a, b);
}

}  // namespace foley::tensor::cpu
