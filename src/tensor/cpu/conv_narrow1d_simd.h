#pragma once

// The vector kernel of conv_narrow1d.cc, written once against the 16-lane
// interface V (simd_avx512.h, simd_avx2.h). Include only after a target
// pragma (simd_kernel_table.h). Every lane sums the same products in the same
// order (input channel, then tap), so the ISAs agree bit for bit.

#include <cstdint>

#include "tensor/cpu/conv_narrow1d.h"
#include "tensor/cpu/conv_winograd1d_simd.h"
#include "tensor/cpu/simd_lanes.h"

namespace foley::tensor::cpu::simd {

// Outputs [l0, l1) of the kCo channels from co0. Loads run whole vectors:
// xp has 16 readable floats past each row, and only live lanes are stored.
template <class V, int kCo>
inline void narrow_conv1d_channels(const NarrowConv1d& p, int64_t co0, int64_t l0, int64_t l1) {
  const int64_t c_in = p.c_in, k = p.k, dil = p.dilation, wstride = c_in * k;
  for_each_vector<V>(l1 - l0, [&](int64_t i, auto live) {
    const int64_t l = l0 + i;
    typename V::F acc[kCo];
#pragma GCC unroll 4
    for (int c = 0; c < kCo; ++c) acc[c] = V::zero();
    for (int64_t ci = 0; ci < c_in; ++ci) {
      const float* xr = p.xp + ci * p.ld + l;
      const float* wr = p.w + co0 * wstride + ci * k;
      for (int64_t t = 0; t < k; ++t) {
        const auto xv = V::load(xr + t * dil);
#pragma GCC unroll 4
        for (int c = 0; c < kCo; ++c) acc[c] = V::fmadd(V::set1(wr[c * wstride + t]), xv, acc[c]);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < kCo; ++c) V::store(p.y + (co0 + c) * p.out_len + l, live, acc[c]);
  });
}

// Channels [co0, co1), outputs [l0, l1): the sums, then the epilogue.
template <class V>
void narrow_conv1d(const NarrowConv1d& p, int64_t co0, int64_t co1, int64_t l0, int64_t l1) {
  int64_t co = co0;
  for (; co + 4 <= co1; co += 4) narrow_conv1d_channels<V, 4>(p, co, l0, l1);
  for (; co < co1; ++co) narrow_conv1d_channels<V, 1>(p, co, l0, l1);
  const Conv1dEpilogue& ep = *p.ep;
  for (co = co0; co < co1; ++co) {
    const int64_t at = co * p.out_len + l0;
    conv1d_epilogue<V>(p.y + at, l1 - l0, ep.bias ? ep.bias[co] : 0.0f, p.r1 ? p.r1 + at : nullptr,
                       p.r2 ? p.r2 + at : nullptr, ep);
  }
}

}  // namespace foley::tensor::cpu::simd
