#pragma once

// The vector kernels of attention.cc, written once against the 16-lane
// interface V (simd_avx512.h, simd_avx2.h). Include only after a target
// pragma (simd_kernel_table.h). attention.cc's header comment describes the
// algorithm; the scalar path is there.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "tensor/cpu/attention_problem.h"
#include "tensor/cpu/simd_lanes.h"
#include "tensor/cpu/simd_math.h"

namespace foley::tensor::cpu::simd {

// e^(s - m) for a softmax: 2^((s - m) log2 e) by exp2_16, exactly 0 where
// that exponent is below -120 or NaN (s and m both -inf: a key no row sees).
// About half the operations of exp16 (no Cody-Waite reduction).
template <class V>
inline typename V::F softmax_exp(typename V::F s, typename V::F m) {
  const auto t = V::mul(V::sub(s, m), V::set1(kAttentionLog2e));
  return V::zero_unless(V::ge(t, V::set1(-120.0f)), exp2_16<V>(t));
}

// One online-softmax step over a row of n scores s (the first `valid` are
// real keys, the rest masked), 16 lanes at a time: attention.cc
// softmax_block_scalar's contract, with the sum in the lanes' tree order and
// softmax_exp for e^x; only the last, partial vector masked (simd_lanes.h).
template <class V>
float softmax_block(float* s, int64_t n, int64_t valid, const float* bias, float& m, float& l) {
  valid = std::clamp<int64_t>(valid, 0, n);
  auto vmax = V::set1(kAttentionNegInf);
  for_each_vector<V>(valid, [&](int64_t j, auto live) {
    auto x = V::load(s + j, live);
    if (bias) {
      x = V::add(x, V::load(bias + j, live));
      V::store(s + j, live, x);
    }
    vmax = V::select(live, V::max(vmax, x), vmax);
  });
  const float m_new = std::max(m, V::hmax(vmax));
  const float corr = m == m_new ? 1.0f : (m == kAttentionNegInf ? 0.0f : std::exp(m - m_new));
  const auto mv = V::set1(m_new);
  auto sum = V::zero();
  for_each_vector<V>(valid, [&](int64_t j, auto live) {
    const auto p = V::zero_unless(live, softmax_exp<V>(V::load(s + j, live), mv));
    V::store(s + j, live, p);
    sum = V::add(sum, p);
  });
  for (int64_t j = valid; j < n; ++j) s[j] = 0.0f;
  l = l * corr + V::hsum(sum);
  m = m_new;
  return corr;
}

// Small-head kernel, exact two-pass row: scores of each key block into buf
// and their maximum, then p = e^(s - m) against that maximum. The fallback of
// small_heads for rows whose score bound is far from the largest score.
template <class V, int kD, int kDv>
void small_head_row_two_pass(const AttentionProblem& P, int64_t bh, int64_t qi, const float* kt, const float* vt,
                             int64_t ld, float* buf) {
  using F = typename V::F;
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  const F neg_inf = V::set1(kAttentionNegInf);
  const float* qr = P.q + P.base(P.lq_, bh) + qi * P.lq_.row;
  F qv[kD ? kD : kSmallHeadDim];
  F acc[kDv ? kDv : kSmallHeadDim];
  for (int64_t p = 0; p < d; ++p) qv[p] = V::set1(qr[p] * P.scale);
  for (int64_t c = 0; c < dv; ++c) acc[c] = V::zero();
  F lsum = V::zero();
  float m = kAttentionNegInf;
  const float* brow = P.bias_row(bh, qi);
  const int64_t kend = P.key_end(qi);
  for (int64_t k0 = 0; k0 < kend; k0 += kSmallHeadKeyBlock) {
    const int64_t k1 = std::min(kend, k0 + kSmallHeadKeyBlock);
    F vmax = neg_inf;
    for (int64_t j = k0; j < k1; j += 16) {
      F s = V::mul(qv[0], V::load(kt + j));
      for (int64_t p = 1; p < d; ++p) s = V::fmadd(qv[p], V::load(kt + p * ld + j), s);
      if (j + 16 <= k1) {
        if (brow) s = V::add(s, V::load(brow + j));
      } else {
        const auto live = V::tail(k1 - j);
        if (brow) s = V::add(s, V::load(brow + j, live));
        s = V::select(live, s, neg_inf);
      }
      V::store(buf + (j - k0), s);
      vmax = V::max(vmax, s);
    }
    const float m_new = std::max(m, V::hmax(vmax));
    if (m_new != m) {
      const F corr = V::set1(m == kAttentionNegInf ? 0.0f : std::exp(m - m_new));
      lsum = V::mul(lsum, corr);
      for (int64_t c = 0; c < dv; ++c) acc[c] = V::mul(acc[c], corr);
      m = m_new;
    }
    const F mv = V::set1(m);
    for (int64_t j = k0; j < k1; j += 16) {
      const F p = exp16<V>(V::sub(V::load(buf + (j - k0)), mv));
      lsum = V::add(lsum, p);
      for (int64_t c = 0; c < dv; ++c) acc[c] = V::fmadd(p, V::load(vt + c * ld + j), acc[c]);
    }
  }
  const float inv = 1.0f / V::hsum(lsum);
  float* orow = P.out + P.base(P.lo_, bh) + qi * P.lo_.row;
  for (int64_t c = 0; c < dv; ++c) orow[c] = V::hsum(acc[c]) * inv;
}

// Small-head kernel, one pass: with m an upper bound of the row's scores
// (in log2 units), p = 2^(s - m) needs no running maximum, no rescaling and
// no second visit of the scores; s - m comes out of the dot product's first
// FMA. Softmax does not depend on m, and every p whose score is within 100 of
// the largest is a normal float computed to full relative precision; so the
// row is exact as long as the bound is near the largest score. Returns false
// (nothing written) when it is not: the sum of p under 2^-20, i.e. the bound
// is more than 20 + log2(keys) above every score (or non-finite).
// in_range: the caller has shown every s - m to be at least -120 (the row's
// scores span less than that), so exp2 needs no clamp; rows with a bias
// always clamp (a bias of -inf masks a key).
template <class V, int kD, int kDv>
bool small_head_row_bounded(const AttentionProblem& P, int64_t bh, int64_t qi, const float* qs, float bound,
                            bool in_range, const float* kt, const float* vt, int64_t ld) {
  using F = typename V::F;
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  F qv[kD ? kD : kSmallHeadDim];
  F acc[kDv ? kDv : kSmallHeadDim];
  for (int64_t p = 0; p < d; ++p) qv[p] = V::set1(qs[p]);
  for (int64_t c = 0; c < dv; ++c) acc[c] = V::zero();
  F lsum = V::zero();
  const F neg_bound = V::set1(-bound), log2e = V::set1(kAttentionLog2e);
  const float* brow = P.bias_row(bh, qi);
  const int64_t kend = P.key_end(qi);
  // One loop with the bias, one without and one without the clamp (no branch inside: registers for the
  // accumulators, not for it).
  auto keys = [&](auto with_bias, auto clamp) __attribute__((always_inline)) {
    for_each_vector<V>(kend, [&](int64_t j, auto live) __attribute__((always_inline)) {
      F x = V::fmadd(qv[d - 1], V::load(kt + (d - 1) * ld + j), neg_bound);
      for (int64_t p = d - 2; p >= 0; --p) x = V::fmadd(qv[p], V::load(kt + p * ld + j), x);
      if constexpr (decltype(with_bias)::value) x = V::fmadd(V::load(brow + j, live), log2e, x);
      F e = decltype(clamp)::value ? exp2_16<V>(x) : exp2_16_in_range<V>(x);
      if constexpr (decltype(with_bias)::value)
        e = V::zero_unless(V::ge(x, V::set1(-120.0f)), e);  // keys a bias masks (-inf) weigh exactly 0
      e = V::zero_unless(live, e);                          // keys past the row's end
      lsum = V::add(lsum, e);
      for (int64_t c = 0; c < dv; ++c) acc[c] = V::fmadd(e, V::load(vt + c * ld + j), acc[c]);
    });
  };
  if (brow)
    keys(std::true_type{}, std::true_type{});
  else if (in_range)
    keys(std::false_type{}, std::false_type{});
  else
    keys(std::false_type{}, std::true_type{});
  const float sum = V::hsum(lsum);
  if (!(sum >= 0x1p-20f) || !std::isfinite(sum)) return false;
  const float inv = 1.0f / sum;
  float* orow = P.out + P.base(P.lo_, bh) + qi * P.lo_.row;
  for (int64_t c = 0; c < dv; ++c) orow[c] = V::hsum(acc[c]) * inv;
  return true;
}

// Small-head kernel for queries [q0, q1) of head bh. kD/kDv: compile-time head
// dims (0 = P.d/P.dv at run time, at most kSmallHeadDim). kt/vt: scratch of
// (D + Dv) * round_up(Lk, 16) floats; buf: kSmallHeadKeyBlock floats.
// Each row's scores are bounded from above (in log2 units: q is scaled by
// scale * log2(e)) by the smaller of the box bound sum_p max_j q_p k_jp and
// Cauchy-Schwarz |q| max_j |k_j|, plus the row's largest bias; rows where the
// bound is too loose for the one-pass kernel take the exact two-pass one.
template <class V, int kD, int kDv>
void small_heads(const AttentionProblem& P, int64_t bh, int64_t q0, int64_t q1, float* kt, float* vt, float* buf) {
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  const int64_t lk = P.lk, ld = (lk + 15) / 16 * 16;
  // K^T [D, ld] and V^T [Dv, ld], zero padded: 16 consecutive keys per load;
  // per dimension the keys' range, and the largest squared key norm.
  const float* kb = P.k + P.base(P.lk_, bh);
  const float* vb = P.v + P.base(P.lv_, bh);
  const int64_t k_row = P.lk_.row, v_row = P.lv_.row;
  float kmax[kSmallHeadDim], kmin[kSmallHeadDim];
  std::fill(kmax, kmax + d, kAttentionNegInf);
  std::fill(kmin, kmin + d, -kAttentionNegInf);
  float knorm2 = 0.0f;
  for (int64_t j = 0; j < lk; ++j) {
    float n2 = 0.0f;
    for (int64_t p = 0; p < d; ++p) {
      const float x = kb[j * k_row + p];
      kt[p * ld + j] = x;
      kmax[p] = std::max(kmax[p], x);
      kmin[p] = std::min(kmin[p], x);
      n2 += x * x;
    }
    knorm2 = std::max(knorm2, n2);
  }
  for (int64_t j = 0; j < lk; ++j)
    for (int64_t c = 0; c < dv; ++c) vt[c * ld + j] = vb[j * v_row + c];
  for (int64_t p = 0; p < d; ++p) std::fill(kt + p * ld + lk, kt + (p + 1) * ld, 0.0f);
  for (int64_t c = 0; c < dv; ++c) std::fill(vt + c * ld + lk, vt + (c + 1) * ld, 0.0f);
  const float knorm = std::sqrt(knorm2);

  const float qscale = P.scale * kAttentionLog2e;
  for (int64_t qi = q0; qi < q1; ++qi) {
    const float* qr = P.q + P.base(P.lq_, bh) + qi * P.lq_.row;
    float qs[kSmallHeadDim];
    float box = 0.0f, box_low = 0.0f, qnorm2 = 0.0f;
    for (int64_t p = 0; p < d; ++p) {
      qs[p] = qr[p] * qscale;
      box += qs[p] * (qs[p] >= 0.0f ? kmax[p] : kmin[p]);
      box_low += qs[p] * (qs[p] >= 0.0f ? kmin[p] : kmax[p]);
      qnorm2 += qs[p] * qs[p];
    }
    // Rounding of the bound itself: a relative 1e-5 (and 1e-30 absolute) of slack.
    const float cauchy_schwarz = std::sqrt(qnorm2) * knorm;
    float bound = std::min(box, cauchy_schwarz);
    bound += 1e-5f * std::fabs(bound) + 1e-30f;
    // The scores' lower bound, likewise: a span under 119 (one of slack for
    // the rounding of s - m) keeps every exponent in exp2's range.
    const float low = std::max(box_low, -cauchy_schwarz);
    const bool in_range = bound - (low - 1e-5f * std::fabs(low)) <= 119.0f;
    if (const float* brow = P.bias_row(bh, qi)) {
      float bmax = kAttentionNegInf;
      for (int64_t j = 0, kend = P.key_end(qi); j < kend; ++j) bmax = std::max(bmax, brow[j]);
      bound += bmax * kAttentionLog2e;
    }
    if (!small_head_row_bounded<V, kD, kDv>(P, bh, qi, qs, bound, in_range, kt, vt, ld))
      small_head_row_two_pass<V, kD, kDv>(P, bh, qi, kt, vt, ld, buf);
  }
}

using SmallHeadsKernel = void (*)(const AttentionProblem&, int64_t, int64_t, int64_t, float*, float*, float*);

// The instance for head dims d, dv (at most kSmallHeadDim): compile-time dims for the common ones.
template <class V>
SmallHeadsKernel pick_small_heads(int64_t d, int64_t dv) {
  if (d == dv) {
    switch (d) {
      case 1: return small_heads<V, 1, 1>;
      case 2: return small_heads<V, 2, 2>;
      case 3: return small_heads<V, 3, 3>;
      case 4: return small_heads<V, 4, 4>;
      default: break;
    }
  }
  return small_heads<V, 0, 0>;
}

}  // namespace foley::tensor::cpu::simd
