#pragma once

// The vector kernels of elementwise.cc and norm.cc (SiLU, GELU, GEGLU, the
// group-norm affine + SiLU), written once against the 16-lane interface V
// (simd_avx512.h, simd_avx2.h). Include only after a target pragma
// (simd_kernel_table.h).

#include <cstdint>

#include "tensor/cpu/simd_lanes.h"
#include "tensor/cpu/simd_math.h"

namespace foley::tensor::cpu::simd {

struct SiluOp {
  template <class V>
  static typename V::F apply(typename V::F x) { return silu16<V>(x); }
};
struct GeluErfOp {
  template <class V>
  static typename V::F apply(typename V::F x) { return gelu_erf16<V>(x); }
};
struct GeluTanhOp {
  template <class V>
  static typename V::F apply(typename V::F x) { return gelu_tanh16<V>(x); }
};

// y[i] = Op(x[i]) over [begin, end), 16 lanes at a time, the tail masked.
template <class V, class Op>
void map(const float* x, float* y, int64_t begin, int64_t end) {
  for_each_vector<V>(end - begin, [&](int64_t a, auto live) {
    V::store(y + begin + a, live, Op::template apply<V>(V::load(x + begin + a, live)));
  });
}

// Rows [begin, end) of GEGLU: y[r][j] = x[r][j] * gelu_erf(x[r][f + j]).
template <class V>
void geglu(const float* x, float* y, int64_t f, int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    const float* a = x + r * 2 * f;
    const float* g = a + f;
    float* out = y + r * f;
    for_each_vector<V>(f, [&](int64_t j, auto live) {
      V::store(out + j, live, V::mul(V::load(a + j, live), gelu_erf16<V>(V::load(g + j, live))));
    });
  }
}

// d[i] = silu(s[i] * scale + shift): multiply, then add (V::mul is never
// contracted), as group_norm followed by silu rounds.
template <class V>
void affine_silu(const float* s, float* d, int64_t n, float scale, float shift) {
  const auto vs = V::set1(scale), vt = V::set1(shift);
  for_each_vector<V>(n, [&](int64_t i, auto live) {
    V::store(d + i, live, silu16<V>(V::add(V::mul(V::load(s + i, live), vs), vt)));
  });
}

}  // namespace foley::tensor::cpu::simd
