#pragma once

// AVX-512 math on 16 float lanes for the CPU kernels. The build targets
// baseline x86-64, so every function here carries target("avx512f") and may
// only be called from code that checked has_avx512() at run time.

#include <immintrin.h>

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_ps) as
// uninitialised once inlined (GCC PR 105593): noise, silenced for the files
// that include this header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace foley::tensor::cpu {

// True when this CPU runs AVX-512F (checked once).
inline bool has_avx512() {
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
}

// e^x, Cephes-style polynomial (about 1 ulp); 0 below -87.3 (and for -inf),
// clamped at e^88.3 above.
__attribute__((target("avx512f"))) inline __m512 exp16(__m512 x) {
  const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_GE_OQ);
  const __m512 t = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
  // e^t = 2^n e^r, |r| <= ln2/2, r = t - n ln2 in two parts.
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), t);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_maskz_mov_ps(live, _mm512_scalef_ps(p, n));
}

// 2^x for x <= 127, by a degree-5 minimax polynomial for 2^f on [-1/2, 1/2]
// (relative error 2.3e-7 in f32 Horner, measured on a 20001-point grid) and
// scalef. Inputs below -120 (and NaN, -inf) give 2^-120: a normal number, so
// no denormal assists, and negligible next to any term within 2^100 of the
// largest; callers that need exact zeros mask them.
__attribute__((target("avx512f"))) inline __m512 exp2_16(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-120.0f));  // NaN -> -120 (second operand)
  const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(x, n);
  __m512 p = _mm512_set1_ps(1.3309470377862453e-3f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.672430343925953e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550587177276611e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022176861763e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931470632553101e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0000001192092896f));
  return _mm512_scalef_ps(p, n);
}

// x * sigmoid(x) = x / (1 + e^-x).
__attribute__((target("avx512f"))) inline __m512 silu16(__m512 x) {
  const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// erf(x) by Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7): the same
// formula torch's vectorised CPU erf (and so its exact GELU) uses.
__attribute__((target("avx512f"))) inline __m512 erf16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 sign = _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u))));
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), ax, one));
  __m512 r = _mm512_fmadd_ps(_mm512_set1_ps(1.061405429f), t, _mm512_set1_ps(-1.453152027f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(1.421413741f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(-0.284496736f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(0.254829592f));
  const __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), ax), ax));  // e^{-x^2}
  const __m512 y = _mm512_fnmadd_ps(_mm512_mul_ps(t, e), r, one);                      // 1 - r t e^{-x^2}
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), _mm512_castps_si512(sign)));
}

// Exact GELU x/2 (1 + erf(x / sqrt2)).
__attribute__((target("avx512f"))) inline __m512 gelu_erf16(__m512 x) {
  const __m512 e = erf16(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
  return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.0f)));
}

// Horizontal max / sum of the 16 lanes (GCC 12's _mm512_reduce_* warn under -Wall).
__attribute__((target("avx512f"))) inline float hmax16(__m512 v) {
  v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}
__attribute__((target("avx512f"))) inline float hsum16(__m512 v) {
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}

// Lanes [0, count) set (count clamped to 16).
__attribute__((target("avx512f"))) inline __mmask16 tail_mask(int64_t count) {
  return static_cast<__mmask16>(count >= 16 ? 0xFFFF : (1u << count) - 1);
}

}  // namespace foley::tensor::cpu
