#pragma once

// The normalisations' row kernels (norm.cc) on the 16-lane vector V: the
// statistics as f32 vector sums over blocks of kNormBlock elements (lanes
// added in simd_avx512.h's tree order), each block's sum added in double, and
// layer_norm's affine pass. Include only from simd_kernel_table.h.

#include <cmath>
#include <cstdint>

#include "tensor/cpu/simd_lanes.h"

namespace foley::tensor::cpu::simd {

inline constexpr int64_t kNormBlock = 1024;

// Sum of x[0, n).
template <class V>
double norm_sum(const float* x, int64_t n) {
  double total = 0;
  for (int64_t b = 0; b < n; b += kNormBlock) {
    const int64_t end = b + kNormBlock < n ? b + kNormBlock : n;
    auto acc = V::zero();
    int64_t i = b;
    for (; i + 16 <= end; i += 16) acc = V::add(acc, V::load(x + i));
    if (i < end) acc = V::add(acc, V::load(x + i, V::tail(end - i)));
    total += V::hsum(acc);
  }
  return total;
}

// Sum of (x[i] - mean)^2 over [0, n).
template <class V>
double norm_sum_sq_dev(const float* x, int64_t n, float mean) {
  const auto m = V::set1(mean);
  double total = 0;
  for (int64_t b = 0; b < n; b += kNormBlock) {
    const int64_t end = b + kNormBlock < n ? b + kNormBlock : n;
    auto acc = V::zero();
    int64_t i = b;
    for (; i + 16 <= end; i += 16) {
      const auto dev = V::sub(V::load(x + i), m);
      acc = V::add(acc, V::mul(dev, dev));
    }
    if (i < end) {
      const auto live = V::tail(end - i);
      const auto dev = V::zero_unless(live, V::sub(V::load(x + i, live), m));
      acc = V::add(acc, V::mul(dev, dev));
    }
    total += V::hsum(acc);
  }
  return total;
}

// y[i] = ((x[i] - mean) * inv) * w[i] + b[i] (w, b null: 1, 0), each operation
// rounded as layer_norm's scalar loop rounds it (no contraction).
template <class V>
void layer_norm_row(const float* x, float* y, int64_t n, float mean, float inv, const float* w, const float* b) {
  const auto m = V::set1(mean), s = V::set1(inv);
  for_each_vector<V>(n, [&](int64_t i, auto live) {
    auto v = V::mul(V::sub(V::load(x + i, live), m), s);
    if (w) v = V::mul(v, V::load(w + i, live));
    if (b) v = V::add(v, V::load(b + i, live));
    V::store(y + i, live, v);
  });
}

// layer_norm over `rows` rows of n: per row the mean and the centred
// variance (norm_sum, norm_sum_sq_dev), then layer_norm_row; one call for a
// range of rows, so short rows (the tiny UNet's 16) pay no call per row.
template <class V>
void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t n, double eps, const float* w, const float* b) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * n;
    const float m = static_cast<float>(norm_sum<V>(src, n) / n);
    const float inv = static_cast<float>(1.0 / std::sqrt(norm_sum_sq_dev<V>(src, n, m) / n + eps));
    layer_norm_row<V>(src, y + r * n, n, m, inv, w, b);
  }
}

}  // namespace foley::tensor::cpu::simd
