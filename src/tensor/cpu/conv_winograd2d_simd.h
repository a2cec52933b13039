#pragma once

// The vector kernel of conv_winograd2d.cc, written once against the 16-lane
// interface V (simd_avx512.h, simd_avx2.h). Include only after a target
// pragma (simd_kernel_table.h).

#include <cstdint>

namespace foley::tensor::cpu::simd {

// out[r][a] = sum_e m[r][e] in[e][a], a in [0, n), r < rows, e < cols <= 6
// (m row-major, rows x cols): the first nonzero product, then the others
// fused in order of e; zero coefficients are skipped.
template <class V>
void winograd2d_rows(const float* const* in, int cols, const float* m, int rows, float* const* out, int64_t n) {
  for (int64_t a = 0; a < n; a += 16) {
    const auto live = V::tail(n - a);
    typename V::F x[6];
    for (int e = 0; e < cols; ++e) x[e] = V::load(in[e] + a, live);
    for (int r = 0; r < rows; ++r) {
      const float* c = m + r * cols;
      auto acc = V::zero();
      bool first = true;
      for (int e = 0; e < cols; ++e) {
        if (c[e] == 0.0f) continue;
        acc = first ? V::mul(V::set1(c[e]), x[e]) : V::fmadd(V::set1(c[e]), x[e], acc);
        first = false;
      }
      V::store(out[r] + a, live, acc);
    }
  }
}

}  // namespace foley::tensor::cpu::simd
