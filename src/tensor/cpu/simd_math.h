#pragma once

// Float math on 16 lanes, written once against the vector interface V of
// simd_avx512.h / simd_avx2.h. Include only after a target pragma
// (simd_avx512.cc, simd_avx2.cc): the functions take the including file's ISA.

namespace foley::tensor::cpu::simd {

// e^x, Cephes-style polynomial (about 1 ulp); 0 below -87.3 (and for -inf),
// clamped at e^88.3 above.
template <class V>
inline typename V::F exp16(typename V::F x) {
  const auto live = V::ge(x, V::set1(-87.3f));
  const auto t = V::min(V::max(x, V::set1(-87.3f)), V::set1(88.3f));
  // e^t = 2^n e^r, |r| <= ln2/2, r = t - n ln2 in two parts.
  const auto n = V::round_nearest(V::mul(t, V::set1(1.44269504088896341f)));
  auto r = V::fnmadd(n, V::set1(0.693359375f), t);
  r = V::fnmadd(n, V::set1(-2.12194440e-4f), r);
  auto p = V::set1(1.9875691500e-4f);
  p = V::fmadd(p, r, V::set1(1.3981999507e-3f));
  p = V::fmadd(p, r, V::set1(8.3334519073e-3f));
  p = V::fmadd(p, r, V::set1(4.1665795894e-2f));
  p = V::fmadd(p, r, V::set1(1.6666665459e-1f));
  p = V::fmadd(p, r, V::set1(5.0000001201e-1f));
  p = V::fmadd(p, V::mul(r, r), V::add(r, V::set1(1.0f)));
  return V::zero_unless(live, V::scalef(p, n));
}

// 2^x for x in [-120, 127] (callers that bound x themselves), by a degree-5
// minimax polynomial for 2^f on [-1/2, 1/2] (relative error 2.3e-7 in f32
// Horner, measured on a 20001-point grid) and scalef.
template <class V>
inline typename V::F exp2_16_in_range(typename V::F x) {
  const auto split = V::exp2_split(x);
  const auto f = V::sub(x, split.n);
  auto p = V::set1(1.3309470377862453e-3f);
  p = V::fmadd(p, f, V::set1(9.672430343925953e-3f));
  p = V::fmadd(p, f, V::set1(5.550587177276611e-2f));
  p = V::fmadd(p, f, V::set1(2.4022176861763e-1f));
  p = V::fmadd(p, f, V::set1(6.931470632553101e-1f));
  p = V::fmadd(p, f, V::set1(1.0000001192092896f));
  return V::exp2_apply(p, split);
}

// 2^x for x <= 127. Inputs below -120 (and NaN, -inf) give 2^-120: a normal
// number, so no denormal assists, and negligible next to any term within
// 2^100 of the largest; callers that need exact zeros mask them.
template <class V>
inline typename V::F exp2_16(typename V::F x) {
  return exp2_16_in_range<V>(V::max(x, V::set1(-120.0f)));  // NaN -> -120 (second operand)
}

// x * sigmoid(x) = x / (1 + e^-x) (the scalar paths: common.h silu_scalar).
template <class V>
inline typename V::F silu16(typename V::F x) {
  const auto e = exp16<V>(V::sub(V::zero(), x));
  return V::div(x, V::add(V::set1(1.0f), e));
}

// erf(x) by Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7): the same
// formula torch's vectorised CPU erf (and so its exact GELU) uses.
template <class V>
inline typename V::F erf16(typename V::F x) {
  const auto one = V::set1(1.0f);
  const auto ax = V::abs(x);
  const auto t = V::div(one, V::fmadd(V::set1(0.3275911f), ax, one));
  auto r = V::fmadd(V::set1(1.061405429f), t, V::set1(-1.453152027f));
  r = V::fmadd(r, t, V::set1(1.421413741f));
  r = V::fmadd(r, t, V::set1(-0.284496736f));
  r = V::fmadd(r, t, V::set1(0.254829592f));
  const auto e = exp16<V>(V::mul(V::sub(V::zero(), ax), ax));  // e^{-x^2}
  const auto y = V::fnmadd(V::mul(t, e), r, one);             // 1 - r t e^{-x^2}
  return V::or_sign(y, x);
}

// Exact GELU x/2 (1 + erf(x / sqrt2)).
template <class V>
inline typename V::F gelu_erf16(typename V::F x) {
  const auto e = erf16<V>(V::mul(x, V::set1(0.70710678118654752f)));
  return V::mul(V::mul(x, V::set1(0.5f)), V::add(e, V::set1(1.0f)));
}

// "gelu_new" x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), written as
// x / (1 + e^{-2u}): the same function without tanh's cancellation near -1.
template <class V>
inline typename V::F gelu_tanh16(typename V::F v) {
  const auto v3 = V::mul(V::mul(v, v), v);
  const auto minus_2u = V::mul(V::set1(-2.0f * 0.7978845608028654f), V::fmadd(V::set1(0.044715f), v3, v));
  return V::div(v, V::add(V::set1(1.0f), exp16<V>(minus_2u)));
}

}  // namespace foley::tensor::cpu::simd
