#pragma once

// The vector kernels of conv_winograd2d.cc, written once against the 16-lane
// interface V (simd_avx512.h, simd_avx2.h). Include only after a target
// pragma (simd_kernel_table.h). Each computes its scalar twin in
// conv_winograd2d.cc lane by lane with the same sums in the same order (the
// vector ones fused where the scalar ones multiply and add).

#include <cstdint>

#include "tensor/cpu/simd_lanes.h"

namespace foley::tensor::cpu::simd {

// The input transform BT (points 0, 1, -1, 2, -2, inf) along one axis:
// out[0..5][a] from in[0..5][a], a in [0, n).
template <class V>
void winograd2d_input_rows(const float* const* in, float* const* out, int64_t n) {
  const auto four = V::set1(4.0f), five = V::set1(5.0f), two = V::set1(2.0f);
  for_each_vector<V>(n, [&](int64_t a, auto live) {
    const auto d0 = V::load(in[0] + a, live), d1 = V::load(in[1] + a, live), d2 = V::load(in[2] + a, live);
    const auto d3 = V::load(in[3] + a, live), d4 = V::load(in[4] + a, live), d5 = V::load(in[5] + a, live);
    V::store(out[0] + a, live, V::fmadd(four, d0, V::fnmadd(five, d2, d4)));
    V::store(out[1] + a, live, V::fnmadd(four, V::add(d1, d2), V::add(d3, d4)));
    V::store(out[2] + a, live, V::fmadd(four, V::sub(d1, d2), V::sub(d4, d3)));
    V::store(out[3] + a, live, V::fmadd(two, V::sub(d3, d1), V::sub(d4, d2)));
    V::store(out[4] + a, live, V::fnmadd(two, V::sub(d3, d1), V::sub(d4, d2)));
    V::store(out[5] + a, live, V::fmadd(four, d1, V::fnmadd(five, d3, d5)));
  });
}

// The output transform AT along one axis: out[0..3][a] from in[0..5][a].
template <class V>
void winograd2d_output_rows(const float* const* in, float* const* out, int64_t n) {
  const auto two = V::set1(2.0f), four = V::set1(4.0f), eight = V::set1(8.0f);
  for_each_vector<V>(n, [&](int64_t a, auto live) {
    const auto m0 = V::load(in[0] + a, live), m1 = V::load(in[1] + a, live), m2 = V::load(in[2] + a, live);
    const auto m3 = V::load(in[3] + a, live), m4 = V::load(in[4] + a, live), m5 = V::load(in[5] + a, live);
    const auto s12 = V::add(m1, m2), d12 = V::sub(m1, m2), s34 = V::add(m3, m4), d34 = V::sub(m3, m4);
    V::store(out[0] + a, live, V::add(V::add(m0, s12), s34));
    V::store(out[1] + a, live, V::fmadd(two, d34, d12));
    V::store(out[2] + a, live, V::fmadd(four, s34, s12));
    V::store(out[3] + a, live, V::add(V::fmadd(eight, d34, d12), m5));
  });
}

}  // namespace foley::tensor::cpu::simd
