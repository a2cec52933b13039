#pragma once

// The vector kernels of elementwise.cc and norm.cc (SiLU, GELU, GEGLU, the
// group-norm affine + SiLU), written once against the 16-lane interface V
// (simd_avx512.h, simd_avx2.h). Include only after a target pragma
// (simd_kernel_table.h).

#include <cstdint>

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
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) V::store(y + i, Op::template apply<V>(V::load(x + i)));
  if (i < end) {
    const auto m = V::tail(end - i);
    V::store(y + i, m, Op::template apply<V>(V::load(x + i, m)));
  }
}

// Rows [begin, end) of GEGLU: y[r][j] = x[r][j] * gelu_erf(x[r][f + j]).
template <class V>
void geglu(const float* x, float* y, int64_t f, int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    const float* a = x + r * 2 * f;
    const float* g = a + f;
    float* out = y + r * f;
    for (int64_t j = 0; j < f; j += 16) {
      const auto m = V::tail(f - j);
      const auto gelu = gelu_erf16<V>(V::load(g + j, m));
      V::store(out + j, m, V::mul(V::load(a + j, m), gelu));
    }
  }
}

// d[i] = silu(s[i] * scale + shift): multiply, then add (V::mul is never
// contracted), as group_norm followed by silu rounds.
template <class V>
void affine_silu(const float* s, float* d, int64_t n, float scale, float shift) {
  const auto vs = V::set1(scale), vt = V::set1(shift);
  for (int64_t i = 0; i < n; i += 16) {
    const auto live = V::tail(n - i);
    const auto v = V::add(V::mul(V::load(s + i, live), vs), vt);
    V::store(d + i, live, silu16<V>(v));
  }
}

}  // namespace foley::tensor::cpu::simd
