#pragma once

// The vector kernels of conv_winograd1d.cc (gathers, transforms, interleave,
// epilogue), written once against the 16-lane interface V (simd_avx512.h,
// simd_avx2.h). Include only after a target pragma (simd_kernel_table.h).
// Each is its scalar twin in conv_winograd1d.cc lane by lane: the same
// products and sums in the same order.

#include <cstdint>

#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/conv_winograd1d_matrices.h"
#include "tensor/cpu/simd_lanes.h"

namespace foley::tensor::cpu::simd {

// dst[i] = act(src[i * step]), i in [0, count) (leaky ReLU when has_slope).
// False (nothing written) when the int32 gather offsets would overflow: not a
// shape we meet; the caller's scalar loop does it.
template <class V>
bool winograd_gather(const float* src, int64_t step, int64_t count, bool has_slope, float slope, float* dst) {
  if (count <= 0) return true;
  if (step * count > (int64_t{1} << 30)) return false;
  const auto vslope = V::set1(slope);
  for_each_vector<V>(count, [&](int64_t i, auto live) {
    auto v = V::gather(src + i * step, static_cast<int32_t>(step), live);
    if (has_slope) v = V::select(V::gt(v, V::zero()), v, V::mul(v, vslope));
    V::store(dst + i, live, v);
  });
  return true;
}

// V[xi][a] = sum_e BT[xi][e] f[e][a], a in [0, row).
template <class V>
void winograd_input_transform(const float* const* f, const winograd1d::Matrices& mx, float* const* dst, int64_t row) {
  using winograd1d::kAlpha;
  for_each_vector<V>(row, [&](int64_t a, auto live) {
    typename V::F fv[kAlpha];
    for (int e = 0; e < kAlpha; ++e) fv[e] = V::load(f[e] + a, live);
    for (int xi = 0; xi < kAlpha; ++xi) {
      const float* b = mx.bt[xi];
      auto v = V::mul(V::set1(b[0]), fv[0]);
      for (int e = 1; e < kAlpha; ++e) v = V::fmadd(V::set1(b[e]), fv[e], v);
      V::store(dst[xi] + a, live, v);
    }
  });
}

// out[t][a] = sum_xi AT[t][xi] M[xi][a], a in [0, tiles).
template <class V>
void winograd_output_transform(const float* const* mrow, const winograd1d::Matrices& mx, float* const* out,
                               int64_t tiles) {
  for_each_vector<V>(tiles, [&](int64_t a, auto live) {
    typename V::F mv[winograd1d::kAlpha];
    for (int xi = 0; xi < winograd1d::kAlpha; ++xi) mv[xi] = V::load(mrow[xi] + a, live);
    for (int t = 0; t < winograd1d::kTile; ++t) {
      const float* at = mx.at[t];
      auto acc = V::mul(V::set1(at[0]), mv[0]);
      for (int xi = 1; xi < winograd1d::kAlpha; ++xi) acc = V::fmadd(V::set1(at[xi]), mv[xi], acc);
      V::store(out[t] + a, live, acc);
    }
  });
}

// y[6a + t] = o[t][a] for whole blocks of 16 tiles that end within y's `len`;
// returns the tiles done (the caller's scalar loop does the rest). Pairs
// first, z_s[2a + u] = o[3u + s][a], then y[3b + s] = z_s[b].
template <class V>
int64_t winograd_interleave(const float* const* o, int64_t tiles, float* y, int64_t len) {
  static_assert(winograd1d::kTile == 6, "the interleave splits a tile into 2 x 3 outputs");
  alignas(64) float z[3][32];
  int64_t a = 0;
  for (; a + 16 <= tiles && 6 * (a + 16) <= len; a += 16) {
    for (int s = 0; s < 3; ++s) V::interleave2(o[s] + a, o[s + 3] + a, z[s]);
    V::interleave3(z[0], z[1], z[2], y + 6 * a);
    V::interleave3(z[0] + 16, z[1] + 16, z[2] + 16, y + 6 * a + 48);
  }
  return a;
}

// y = out_act((((y + bias) + r1) + r2) * scale), in the order of the unfused composition.
template <class V>
void conv1d_epilogue(float* y, int64_t len, float bias, const float* r1, const float* r2, const Conv1dEpilogue& ep) {
  const auto vb = V::set1(bias), scale = V::set1(ep.scale), slope = V::set1(ep.output_slope);
  for_each_vector<V>(len, [&](int64_t l, auto live) {
    auto acc = V::add(V::load(y + l, live), vb);
    if (r1) acc = V::add(acc, V::load(r1 + l, live));
    if (r2) acc = V::add(acc, V::load(r2 + l, live));
    if (ep.has_scale) acc = V::mul(acc, scale);
    if (ep.has_output_slope) acc = V::select(V::gt(acc, V::zero()), acc, V::mul(acc, slope));
    V::store(y + l, live, acc);
  });
}

}  // namespace foley::tensor::cpu::simd
