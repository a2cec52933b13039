#pragma once

// simd_avx512.h's 16-lane vector on AVX2 + FMA: two ymm registers (lanes 0-7
// and 8-15) and a vector mask. Every operation is the AVX-512 one lane by
// lane, reductions follow the same tree, so the kernels give the same bits
// on both. Include only from simd_avx2.cc, after its target pragma.

#include <immintrin.h>

#include <cstdint>

#include "tensor/cpu/simd_lanes.h"

namespace foley::tensor::cpu {

struct Avx2 {
  struct F {
    __m256 lo, hi;
  };
  // All-ones / all-zeros lanes.
  struct M {
    __m256 lo, hi;
  };
  static constexpr const char* kName = "avx2";

#define FOLEY_SIMD __attribute__((always_inline)) static inline
  FOLEY_SIMD F set1(float v) { return {_mm256_set1_ps(v), _mm256_set1_ps(v)}; }
  FOLEY_SIMD F zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
  FOLEY_SIMD F load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
  FOLEY_SIMD void store(float* p, F v) {
    _mm256_storeu_ps(p, v.lo);
    _mm256_storeu_ps(p + 8, v.hi);
  }

  FOLEY_SIMD M tail(int64_t count) {
    const __m256i n = _mm256_set1_epi32(static_cast<int>(count >= 16 ? 16 : count <= 0 ? 0 : count));
    return {_mm256_castsi256_ps(_mm256_cmpgt_epi32(n, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))),
            _mm256_castsi256_ps(_mm256_cmpgt_epi32(n, _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15)))};
  }
  FOLEY_SIMD bool all(M m) { return (_mm256_movemask_ps(m.lo) & _mm256_movemask_ps(m.hi)) == 0xFF; }
  FOLEY_SIMD M negate(M m) {
    const __m256 ones = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    return {_mm256_xor_ps(m.lo, ones), _mm256_xor_ps(m.hi, ones)};
  }
  // vmaskmovps: masked-off lanes read as 0 and never fault.
  FOLEY_SIMD F load(const float* p, M m) {
    return {_mm256_maskload_ps(p, _mm256_castps_si256(m.lo)), _mm256_maskload_ps(p + 8, _mm256_castps_si256(m.hi))};
  }
  FOLEY_SIMD void store(float* p, M m, F v) {
    _mm256_maskstore_ps(p, _mm256_castps_si256(m.lo), v.lo);
    _mm256_maskstore_ps(p + 8, _mm256_castps_si256(m.hi), v.hi);
  }
  FOLEY_SIMD F load(const float* p, AllLanes) { return load(p); }
  FOLEY_SIMD void store(float* p, AllLanes, F v) { store(p, v); }

  FOLEY_SIMD F add(F a, F b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }
  FOLEY_SIMD F sub(F a, F b) { return {_mm256_sub_ps(a.lo, b.lo), _mm256_sub_ps(a.hi, b.hi)}; }
  // The empty asm hides the product from GCC's FMA contraction (AVX2 has no
  // non-contractible rounding form of vmulps); it emits no instruction.
  FOLEY_SIMD F mul(F a, F b) {
    __m256 lo = _mm256_mul_ps(a.lo, b.lo), hi = _mm256_mul_ps(a.hi, b.hi);
    asm("" : "+x"(lo), "+x"(hi));
    return {lo, hi};
  }
  FOLEY_SIMD F div(F a, F b) { return {_mm256_div_ps(a.lo, b.lo), _mm256_div_ps(a.hi, b.hi)}; }
  FOLEY_SIMD F max(F a, F b) { return {_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi)}; }
  FOLEY_SIMD F min(F a, F b) { return {_mm256_min_ps(a.lo, b.lo), _mm256_min_ps(a.hi, b.hi)}; }
  FOLEY_SIMD F fmadd(F a, F b, F c) { return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)}; }
  FOLEY_SIMD F fnmadd(F a, F b, F c) {
    return {_mm256_fnmadd_ps(a.lo, b.lo, c.lo), _mm256_fnmadd_ps(a.hi, b.hi, c.hi)};
  }
  FOLEY_SIMD F abs(F a) {
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    return {_mm256_and_ps(a.lo, m), _mm256_and_ps(a.hi, m)};
  }
  FOLEY_SIMD F or_sign(F a, F s) {
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)));
    return {_mm256_or_ps(a.lo, _mm256_and_ps(s.lo, m)), _mm256_or_ps(a.hi, _mm256_and_ps(s.hi, m))};
  }
  FOLEY_SIMD F round_nearest(F a) {
    return {_mm256_round_ps(a.lo, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
            _mm256_round_ps(a.hi, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
  }
  // p 2^n by one multiply with 2^n built in the exponent field: exact as
  // vscalefps for n in [-126, 127] (2^n normal; one rounding, also for a
  // subnormal product), the range callers keep to; n >= 128 gives inf, where
  // vscalefps gives p 2^n (finite for p < 1). The multiply goes through
  // mul(): vscalefps is never contracted either.
  FOLEY_SIMD __m256 pow2_8(__m256 n) {
    const __m256 clamped = _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(128.0f));
    const __m256i e = _mm256_cvtps_epi32(clamped);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
  }
  FOLEY_SIMD F scalef(F p, F n) { return mul(p, {pow2_8(n.lo), pow2_8(n.hi)}); }
  // exp2_16's split of x in [-126, 127] into n = round_nearest(x) and n
  // shifted into the exponent field (the conversion of the integral n is
  // exact). exp2_apply adds that to p's bits: p 2^n exactly, as vscalefps,
  // while the product stays normal (p in [2^-1/2, 2^1/2], n in [-120, 127]:
  // exp2_16's domain); an integer add where a multiply would take an FMA port.
  struct Exp2Split {
    F n;
    __m256i shift_lo, shift_hi;
  };
  FOLEY_SIMD Exp2Split exp2_split(F x) {
    const F n = round_nearest(x);
    return {n, _mm256_slli_epi32(_mm256_cvtps_epi32(n.lo), 23), _mm256_slli_epi32(_mm256_cvtps_epi32(n.hi), 23)};
  }
  FOLEY_SIMD F exp2_apply(F p, const Exp2Split& s) {
    return {_mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p.lo), s.shift_lo)),
            _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p.hi), s.shift_hi))};
  }

  FOLEY_SIMD M gt(F a, F b) { return {_mm256_cmp_ps(a.lo, b.lo, _CMP_GT_OQ), _mm256_cmp_ps(a.hi, b.hi, _CMP_GT_OQ)}; }
  FOLEY_SIMD M ge(F a, F b) { return {_mm256_cmp_ps(a.lo, b.lo, _CMP_GE_OQ), _mm256_cmp_ps(a.hi, b.hi, _CMP_GE_OQ)}; }
  FOLEY_SIMD F select(M m, F a, F b) { return {_mm256_blendv_ps(b.lo, a.lo, m.lo), _mm256_blendv_ps(b.hi, a.hi, m.hi)}; }
  FOLEY_SIMD F zero_unless(M m, F a) { return {_mm256_and_ps(m.lo, a.lo), _mm256_and_ps(m.hi, a.hi)}; }
  FOLEY_SIMD F select(AllLanes, F a, F) { return a; }
  FOLEY_SIMD F zero_unless(AllLanes, F a) { return a; }

  // simd_avx512.h's tree: lo + hi is lane i with i ^ 8, then ^ 4 (halves), ^ 2, ^ 1.
  FOLEY_SIMD float hsum(F v) {
    __m256 x = _mm256_add_ps(v.lo, v.hi);
    x = _mm256_add_ps(x, _mm256_permute2f128_ps(x, x, 1));
    x = _mm256_add_ps(x, _mm256_permute_ps(x, _MM_SHUFFLE(1, 0, 3, 2)));
    x = _mm256_add_ps(x, _mm256_permute_ps(x, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm256_cvtss_f32(x);
  }
  FOLEY_SIMD float hmax(F v) {
    __m256 x = _mm256_max_ps(v.lo, v.hi);
    x = _mm256_max_ps(x, _mm256_permute2f128_ps(x, x, 1));
    x = _mm256_max_ps(x, _mm256_permute_ps(x, _MM_SHUFFLE(1, 0, 3, 2)));
    x = _mm256_max_ps(x, _mm256_permute_ps(x, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm256_cvtss_f32(x);
  }

  FOLEY_SIMD F gather(const float* src, int32_t step, M m) {
    const __m256i lanes = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(step));
    return {_mm256_mask_i32gather_ps(_mm256_setzero_ps(), src, lanes, m.lo, 4),
            _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src + 8 * static_cast<int64_t>(step), lanes, m.hi, 4)};
  }
  FOLEY_SIMD F gather(const float* src, int32_t step, AllLanes) { return gather(src, step, tail(16)); }

  // y[2 i] = a[i], y[2 i + 1] = b[i], i in [0, 16): 32 outputs.
  FOLEY_SIMD void interleave2(const float* a, const float* b, float* y) {
    for (int half = 0; half < 2; ++half) {
      const __m256 x = _mm256_loadu_ps(a + 8 * half), z = _mm256_loadu_ps(b + 8 * half);
      const __m256 lo = _mm256_unpacklo_ps(x, z), hi = _mm256_unpackhi_ps(x, z);  // pairs 0 1 4 5, 2 3 6 7
      _mm256_storeu_ps(y + 16 * half, _mm256_permute2f128_ps(lo, hi, 0x20));
      _mm256_storeu_ps(y + 16 * half + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
  }

  // y[3 a + t] = o[t][a], a in [0, 16), 8 tiles at a time: output vector v,
  // lane j holds m = 8 v + j, i.e. o[m % 3][m / 3]; one permute per source
  // and two blends by residue.
  FOLEY_SIMD void interleave3(const float* o0, const float* o1, const float* o2, float* y) {
    for (int half = 0; half < 2; ++half) {
      const __m256 a0 = _mm256_loadu_ps(o0 + 8 * half), a1 = _mm256_loadu_ps(o1 + 8 * half);
      const __m256 a2 = _mm256_loadu_ps(o2 + 8 * half);
      for (int v = 0; v < 3; ++v) {
        const __m256i idx = _mm256_setr_epi32((8 * v + 0) / 3, (8 * v + 1) / 3, (8 * v + 2) / 3, (8 * v + 3) / 3,
                                              (8 * v + 4) / 3, (8 * v + 5) / 3, (8 * v + 6) / 3, (8 * v + 7) / 3);
        // blend immediates: bit j set where (8 v + j) % 3 == r.
        constexpr int kFrom1[3] = {0x92, 0x24, 0x49}, kFrom2[3] = {0x24, 0x49, 0x92};
        __m256 r = _mm256_permutevar8x32_ps(a0, idx);
        const __m256 r1 = _mm256_permutevar8x32_ps(a1, idx), r2 = _mm256_permutevar8x32_ps(a2, idx);
        switch (v) {  // _mm256_blend_ps needs immediates
          case 0: r = _mm256_blend_ps(_mm256_blend_ps(r, r1, kFrom1[0]), r2, kFrom2[0]); break;
          case 1: r = _mm256_blend_ps(_mm256_blend_ps(r, r1, kFrom1[1]), r2, kFrom2[1]); break;
          default: r = _mm256_blend_ps(_mm256_blend_ps(r, r1, kFrom1[2]), r2, kFrom2[2]); break;
        }
        _mm256_storeu_ps(y + 24 * half + 8 * v, r);
      }
    }
  }
#undef FOLEY_SIMD
};

}  // namespace foley::tensor::cpu
