#pragma once

// The 16-lane float vector the ISA-generic kernels (simd_math.h,
// simd_kernels_impl.h) are written against, on AVX-512: one zmm register and
// a k mask. simd_avx2.h is the same interface on two ymm registers; both
// give every lane the same IEEE operations in the same order, so the two
// paths agree bit for bit. Include only from simd_avx512.cc, after its
// target pragma.

#include <immintrin.h>

#include <cstdint>

#include "tensor/cpu/simd_lanes.h"

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_ps) as
// uninitialised once inlined (GCC PR 105593): noise, silenced here.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace foley::tensor::cpu {

struct Avx512 {
  using F = __m512;
  using M = __mmask16;
  static constexpr const char* kName = "avx512";

#define FOLEY_SIMD __attribute__((always_inline)) static inline
  FOLEY_SIMD F set1(float v) { return _mm512_set1_ps(v); }
  FOLEY_SIMD F zero() { return _mm512_setzero_ps(); }
  FOLEY_SIMD F load(const float* p) { return _mm512_loadu_ps(p); }
  FOLEY_SIMD void store(float* p, F v) { _mm512_storeu_ps(p, v); }

  // Lanes [0, count) (count clamped to [0, 16]).
  FOLEY_SIMD M tail(int64_t count) {
    return static_cast<M>(count >= 16 ? 0xFFFF : count <= 0 ? 0 : (1u << count) - 1);
  }
  FOLEY_SIMD bool all(M m) { return m == 0xFFFF; }
  FOLEY_SIMD M negate(M m) { return static_cast<M>(~m); }
  // Masked-off lanes read as 0 and are never touched in memory.
  FOLEY_SIMD F load(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  FOLEY_SIMD void store(float* p, M m, F v) { _mm512_mask_storeu_ps(p, m, v); }
  FOLEY_SIMD F load(const float* p, AllLanes) { return load(p); }
  FOLEY_SIMD void store(float* p, AllLanes, F v) { store(p, v); }

  FOLEY_SIMD F add(F a, F b) { return _mm512_add_ps(a, b); }
  FOLEY_SIMD F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  // Rounded on its own: never contracted with a following add into an FMA
  // (GCC contracts plain vector multiply-adds; kernels spell out their FMAs).
  FOLEY_SIMD F mul(F a, F b) { return _mm512_mul_round_ps(a, b, _MM_FROUND_CUR_DIRECTION); }
  FOLEY_SIMD F div(F a, F b) { return _mm512_div_ps(a, b); }
  // max/min: x86 semantics (the second operand when either is NaN).
  FOLEY_SIMD F max(F a, F b) { return _mm512_max_ps(a, b); }
  FOLEY_SIMD F min(F a, F b) { return _mm512_min_ps(a, b); }
  FOLEY_SIMD F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }    // a b + c, one rounding
  FOLEY_SIMD F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a b, one rounding
  FOLEY_SIMD F abs(F a) { return _mm512_abs_ps(a); }
  // a with the sign bit of s or-ed in.
  FOLEY_SIMD F or_sign(F a, F s) {
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(a),
        _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(static_cast<int>(0x80000000u)))));
  }
  FOLEY_SIMD F round_nearest(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // p 2^n for integral n in [-126, 128]: one rounding, as vscalefps.
  FOLEY_SIMD F scalef(F p, F n) { return _mm512_scalef_ps(p, n); }
  // exp2_16's split of x into n = round_nearest(x), applied by vscalefps
  // (simd_avx2.h builds 2^n from the rounding instead).
  struct Exp2Split {
    F n;
  };
  FOLEY_SIMD Exp2Split exp2_split(F x) { return {round_nearest(x)}; }
  FOLEY_SIMD F exp2_apply(F p, const Exp2Split& s) { return scalef(p, s.n); }

  FOLEY_SIMD M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  FOLEY_SIMD M ge(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  // Lanes of m from a, the others from b.
  FOLEY_SIMD F select(M m, F a, F b) { return _mm512_mask_mov_ps(b, m, a); }
  FOLEY_SIMD F zero_unless(M m, F a) { return _mm512_maskz_mov_ps(m, a); }
  FOLEY_SIMD F select(AllLanes, F a, F) { return a; }
  FOLEY_SIMD F zero_unless(AllLanes, F a) { return a; }

  // Horizontal sum / max in a fixed tree: lane i with i ^ 8, then ^ 4, ^ 2, ^ 1 (simd_avx2.h follows it).
  FOLEY_SIMD float hsum(F v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
  }
  FOLEY_SIMD float hmax(F v) {
    v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
  }

  // Lane i = src[i * step] for the lanes of m (0 elsewhere); 16 * step must fit an int32.
  FOLEY_SIMD F gather(const float* src, int32_t step, M m) {
    const __m512i lanes = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                             _mm512_set1_epi32(step));
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, lanes, src, 4);
  }
  FOLEY_SIMD F gather(const float* src, int32_t step, AllLanes) { return gather(src, step, tail(16)); }

  // y[2 i] = a[i], y[2 i + 1] = b[i], i in [0, 16): 32 outputs.
  FOLEY_SIMD void interleave2(const float* a, const float* b, float* y) {
    const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i second = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const F x = load(a), z = load(b);
    store(y, _mm512_permutex2var_ps(x, first, z));
    store(y + 16, _mm512_permutex2var_ps(x, second, z));
  }

  // y[3 a + t] = o[t][a], a in [0, 16): 48 outputs.
  FOLEY_SIMD void interleave3(const float* o0, const float* o1, const float* o2, float* y) {
    // Output vector v, lane j holds m = 16 v + j: residue m % 3, tile m / 3. Two permutes per vector:
    // residues 0 and 1 from (o0, o1), then residue 2's lanes from o2.
    alignas(64) static const int32_t idx01[3][16] = {
        {0, 16, 0, 1, 17, 1, 2, 18, 2, 3, 19, 3, 4, 20, 4, 5},
        {21, 5, 6, 22, 6, 7, 23, 7, 8, 24, 8, 9, 25, 9, 10, 26},
        {10, 11, 27, 11, 12, 28, 12, 13, 29, 13, 14, 30, 14, 15, 31, 15}};
    static constexpr M from2[3] = {0x4924, 0x2492, 0x9249};
    const F a0 = load(o0), a1 = load(o1), a2 = load(o2);
    for (int v = 0; v < 3; ++v) {
      const __m512i idx = _mm512_load_si512(idx01[v]);
      const F lo = _mm512_permutex2var_ps(a0, idx, a1);
      store(y + 16 * v, _mm512_mask_permutexvar_ps(lo, from2[v], idx, a2));
    }
  }
#undef FOLEY_SIMD
};

}  // namespace foley::tensor::cpu
