#pragma once

// The op table: one row per case of a tensor/ops.h function, run on every
// backend (the idea of ggml's test-backend-ops). A case builds seeded inputs on
// the CPU, calls the op through tensor/ops.h (so it runs on whatever device the
// inputs are on) and computes the expected result with plain loops in double
// precision. Each case carries two thresholds on the normalised mean squared
// error sum((a - b)^2) / sum(b^2), each with a one-line reason:
// - cpu:  the CPU result against the double-precision reference;
// - cuda: the CUDA result against the CPU result.
// A threshold of 0 means the values must be equal (and so must the dtype).

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::op_table {

// A result computed by a reference: row-major values in double.
struct Expected {
  Shape shape;
  DType dtype = DType::kF32;
  std::vector<double> values;
};

struct Threshold {
  double nmse;
  const char* why;
};

using Inputs = std::vector<Tensor>;

struct OpCase {
  std::string op;                                                 // exactly the tensor/ops.h function name
  std::string label;                                              // what this case exercises (shapes, options)
  std::function<Inputs()> make_inputs;                            // seeded, on the CPU; undefined = "none"
  std::function<std::vector<Tensor>(const Inputs&)> call;         // the ops.h call (inputs on any one device)
  std::function<std::vector<Expected>(const Inputs&)> reference;  // plain loops in double, from the CPU inputs
  Threshold cpu;
  Threshold cuda;
};

// The table, assembled from the op families (one function per cases_*.cc).
std::vector<OpCase> gemm_conv_cases();
std::vector<OpCase> norm_attention_cases();
std::vector<OpCase> elementwise_cases();
std::vector<OpCase> shape_cases();
inline std::vector<OpCase> all_cases() {
  std::vector<OpCase> all;
  for (auto family : {gemm_conv_cases, norm_attention_cases, elementwise_cases, shape_cases})
    for (OpCase& c : family()) all.push_back(std::move(c));
  return all;
}

// Thresholds shared by many rows.
inline constexpr Threshold kExact{0, "copies or IEEE-exact operations: every value must be equal"};
inline constexpr Threshold kF32Rounding{1e-12, "one f32 rounding per element (u^2 ~ 4e-15) vs double"};

// --- inputs ----------------------------------------------------------------------------------------------

// Uniform floats in [lo, hi) from a fixed seed, f32 (or converted to dtype).
inline Tensor random_float(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f,
                           DType dtype = DType::kF32) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
  for (float& v : values) v = dist(rng);
  const Tensor t = Tensor::from_vector(values, shape);
  return dtype == DType::kF32 ? t : t.to(dtype);
}

// Uniform integers in [lo, hi] from a fixed seed, i32 or i64.
inline Tensor random_int(const Shape& shape, uint32_t seed, int64_t lo, int64_t hi, DType dtype = DType::kI64) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<int64_t> values(static_cast<size_t>(shape_numel(shape)));
  for (int64_t& v : values) v = dist(rng);
  const Tensor t = Tensor::from_vector(values, shape);
  return dtype == DType::kI64 ? t : t.to(dtype);
}

// --- reference helpers (read values; never call ops) ---------------------------------------------------

// Every element as a double (exact for all dtypes in use).
inline std::vector<double> values_of(const Tensor& t) {
  std::vector<double> out;
  if (!t.defined()) return out;
  out.reserve(static_cast<size_t>(t.numel()));
  if (is_floating(t.dtype())) {
    for (float v : t.to_vector_f32()) out.push_back(v);
  } else {
    for (int64_t v : t.to_vector_i64()) out.push_back(static_cast<double>(v));
  }
  return out;
}

inline size_t idx(int64_t i) { return static_cast<size_t>(i); }

// Row-major strides of `shape` in elements.
inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) s[idx(d)] = s[idx(d + 1)] * shape[idx(d + 1)];
  return s;
}

// numpy broadcasting of two shapes (aligned at the end).
inline Shape broadcast_shape(const Shape& a, const Shape& b) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Flat offset in a tensor of `shape` (broadcast to out_shape) of the element at out_shape's flat index `flat`.
inline int64_t broadcast_offset(int64_t flat, const Shape& out_shape, const Shape& shape) {
  const std::vector<int64_t> st = strides_of(shape);
  int64_t offset = 0;
  for (int64_t d = static_cast<int64_t>(out_shape.size()) - 1; d >= 0; --d) {
    const int64_t coord = flat % out_shape[idx(d)];
    flat /= out_shape[idx(d)];
    const int64_t sd = d - static_cast<int64_t>(out_shape.size() - shape.size());
    if (sd >= 0 && shape[idx(sd)] != 1) offset += coord * st[idx(sd)];
  }
  return offset;
}

inline double gelu_exact_ref(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
inline double silu_ref(double x) { return x / (1.0 + std::exp(-x)); }

}  // namespace foley::tensor::op_table
