// Scaled dot-product attention and softmax on the CPU: an online-softmax
// (flash-style) kernel. Each task is one (batch, head, block of queries); keys
// are visited in blocks, and per query row a running maximum m and sum l let
// every block's exponentials be computed once, with the output so far rescaled
// by exp(m_old - m_new) when the maximum grows. Two inner kernels:
// - small heads (D, Dv <= 16, e.g. the tiny test models, 4096-token VAE
//   self-attention): K and V are transposed per task so the scores of 16 keys
//   are 16 lanes of one AVX-512 register, then exp and P·V stay in registers;
//   a GEMM library call per tiny dot product would cost more than the math.
//   Rows run in one pass against an upper bound of their scores instead of a
//   running maximum (exact two-pass fallback when the bound is loose);
// - real heads: scores and P·V by single-threaded GEMM calls on blocks sized
//   for the L2 cache, softmax in between with a vectorised exp.
// AVX-512 is chosen at run time (the build targets baseline x86-64); the
// scalar path runs the second kernel with libm exp.
#include "tensor/cpu/attention.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_math.h"
#include "tensor/ops.h"

namespace foley::tensor {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kLog2e = 1.44269504088896341f;
// D and Dv at most this: the key-vectorised small-head kernel.
constexpr int64_t kSmallHeadDim = 16;
// Queries per task: small-head kernel (amortises the K/V transposes), GEMM kernel.
constexpr int64_t kSmallQueryBlock = 128;
constexpr int64_t kGemmQueryBlock = 64;
// Keys per online-softmax block. The GEMM kernel takes up to kGemmWholeKeys
// keys in one block (no rescaling at all: every UNet attention).
constexpr int64_t kKeyBlock = 512;
constexpr int64_t kGemmWholeKeys = 1024;

std::atomic<cpu::AttentionIsa>& isa_slot() {
  static std::atomic<cpu::AttentionIsa> isa{cpu::AttentionIsa::kAuto};
  return isa;
}

// Where one operand's rows live: row r of head (b, h) starts at
// data + b * batch + h * head + r * row (elements).
struct Layout {
  int64_t batch, head, row;
  // [B, H, L, D] dense.
  static Layout heads_major(int64_t h, int64_t l, int64_t d) { return {h * l * d, l * d, d}; }
  // [B, L, H*D] dense (token-major: heads side by side in each row).
  static Layout tokens_major(int64_t h, int64_t l, int64_t d) { return {l * h * d, d, h * d}; }
};

// One attention call: q/k/v/out rows located by their Layouts; bias rows found
// by strides (0 where broadcast), keys contiguous.
struct Problem {
  int64_t h, lq, lk, d, dv;
  float scale;
  bool causal;
  const float *q, *k, *v, *bias;
  Layout lq_, lk_, lv_, lo_;
  int64_t bias_stride_b, bias_stride_h, bias_stride_q;
  float* out;

  int64_t base(const Layout& l, int64_t bh) const { return (bh / h) * l.batch + (bh % h) * l.head; }

  // Keys query qi may see: all, or up to the causal diagonal aligned to the end.
  int64_t key_end(int64_t qi) const { return causal ? lk - lq + qi + 1 : lk; }
  const float* bias_row(int64_t bh, int64_t qi) const {
    return bias ? bias + (bh / h) * bias_stride_b + (bh % h) * bias_stride_h + qi * bias_stride_q : nullptr;
  }
};

// ---- scalar ---------------------------------------------------------------------

// One online-softmax step over a row of n scores s (the first `valid` are
// real keys, the rest masked): adds the bias row, replaces s by
// exp(s - m_new), updates the running max m and sum l, and returns the factor
// the row's output so far must be multiplied by.
float softmax_block_scalar(float* s, int64_t n, int64_t valid, const float* bias, float& m, float& l) {
  valid = std::clamp<int64_t>(valid, 0, n);
  float block_max = kNegInf;
  for (int64_t j = 0; j < valid; ++j) {
    if (bias) s[j] += bias[j];
    block_max = std::max(block_max, s[j]);
  }
  const float m_new = std::max(m, block_max);
  const float corr = m == m_new ? 1.0f : (m == kNegInf ? 0.0f : std::exp(m - m_new));
  float sum = 0;
  for (int64_t j = 0; j < valid; ++j) sum += (s[j] = std::exp(s[j] - m_new));
  for (int64_t j = valid; j < n; ++j) s[j] = 0.0f;
  l = l * corr + sum;
  m = m_new;
  return corr;
}

// ---- AVX-512 --------------------------------------------------------------------

// softmax_block_scalar on 16 lanes.
__attribute__((target("avx512f"))) float softmax_block_avx512(float* s, int64_t n, int64_t valid, const float* bias,
                                                              float& m, float& l) {
  valid = std::clamp<int64_t>(valid, 0, n);
  __m512 vmax = _mm512_set1_ps(kNegInf);
  for (int64_t j = 0; j < valid; j += 16) {
    const __mmask16 live = cpu::tail_mask(valid - j);
    __m512 x = _mm512_maskz_loadu_ps(live, s + j);
    if (bias) {
      x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(live, bias + j));
      _mm512_mask_storeu_ps(s + j, live, x);
    }
    vmax = _mm512_mask_max_ps(vmax, live, vmax, x);
  }
  const float m_new = std::max(m, cpu::hmax16(vmax));
  const float corr = m == m_new ? 1.0f : (m == kNegInf ? 0.0f : std::exp(m - m_new));
  const __m512 mv = _mm512_set1_ps(m_new);
  __m512 sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < valid; j += 16) {
    const __mmask16 live = cpu::tail_mask(valid - j);
    const __m512 p = _mm512_maskz_mov_ps(live, cpu::exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(live, s + j), mv)));
    _mm512_mask_storeu_ps(s + j, live, p);
    sum = _mm512_add_ps(sum, p);
  }
  for (int64_t j = valid; j < n; ++j) s[j] = 0.0f;
  l = l * corr + cpu::hsum16(sum);
  m = m_new;
  return corr;
}

// Small-head kernel, exact two-pass row: scores of each key block into buf
// and their maximum, then p = e^(s - m) against that maximum. The fallback of
// small_heads_avx512 for rows whose score bound is far from the largest score.
template <int kD, int kDv>
__attribute__((target("avx512f"))) void small_head_row_two_pass(const Problem& P, int64_t bh, int64_t qi,
                                                                const float* kt, const float* vt, int64_t ld,
                                                                float* buf) {
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  const __m512 neg_inf = _mm512_set1_ps(kNegInf);
  const float* qr = P.q + P.base(P.lq_, bh) + qi * P.lq_.row;
  __m512 qv[kD ? kD : kSmallHeadDim];
  __m512 acc[kDv ? kDv : kSmallHeadDim];
  for (int64_t p = 0; p < d; ++p) qv[p] = _mm512_set1_ps(qr[p] * P.scale);
  for (int64_t c = 0; c < dv; ++c) acc[c] = _mm512_setzero_ps();
  __m512 lsum = _mm512_setzero_ps();
  float m = kNegInf;
  const float* brow = P.bias_row(bh, qi);
  const int64_t kend = P.key_end(qi);
  for (int64_t k0 = 0; k0 < kend; k0 += kKeyBlock) {
    const int64_t k1 = std::min(kend, k0 + kKeyBlock);
    __m512 vmax = neg_inf;
    for (int64_t j = k0; j < k1; j += 16) {
      __m512 s = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kt + j));
      for (int64_t p = 1; p < d; ++p) s = _mm512_fmadd_ps(qv[p], _mm512_loadu_ps(kt + p * ld + j), s);
      if (j + 16 <= k1) {
        if (brow) s = _mm512_add_ps(s, _mm512_loadu_ps(brow + j));
      } else {
        const __mmask16 live = cpu::tail_mask(k1 - j);
        if (brow) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(live, brow + j));
        s = _mm512_mask_mov_ps(neg_inf, live, s);
      }
      _mm512_storeu_ps(buf + (j - k0), s);
      vmax = _mm512_max_ps(vmax, s);
    }
    const float m_new = std::max(m, cpu::hmax16(vmax));
    if (m_new != m) {
      const __m512 corr = _mm512_set1_ps(m == kNegInf ? 0.0f : std::exp(m - m_new));
      lsum = _mm512_mul_ps(lsum, corr);
      for (int64_t c = 0; c < dv; ++c) acc[c] = _mm512_mul_ps(acc[c], corr);
      m = m_new;
    }
    const __m512 mv = _mm512_set1_ps(m);
    for (int64_t j = k0; j < k1; j += 16) {
      const __m512 p = cpu::exp16(_mm512_sub_ps(_mm512_loadu_ps(buf + (j - k0)), mv));
      lsum = _mm512_add_ps(lsum, p);
      for (int64_t c = 0; c < dv; ++c) acc[c] = _mm512_fmadd_ps(p, _mm512_loadu_ps(vt + c * ld + j), acc[c]);
    }
  }
  const float inv = 1.0f / cpu::hsum16(lsum);
  float* orow = P.out + P.base(P.lo_, bh) + qi * P.lo_.row;
  for (int64_t c = 0; c < dv; ++c) orow[c] = cpu::hsum16(acc[c]) * inv;
}

// Small-head kernel, one pass: with m an upper bound of the row's scores
// (in log2 units), p = 2^(s - m) needs no running maximum, no rescaling and
// no second visit of the scores; s - m comes out of the dot product's first
// FMA. Softmax does not depend on m, and every p whose score is within 100 of
// the largest is a normal float computed to full relative precision; so the
// row is exact as long as the bound is near the largest score. Returns false
// (nothing written) when it is not: the sum of p under 2^-20, i.e. the bound
// is more than 20 + log2(keys) above every score (or non-finite).
template <int kD, int kDv>
__attribute__((target("avx512f"))) bool small_head_row_bounded(const Problem& P, int64_t bh, int64_t qi,
                                                               const float* qs, float bound, const float* kt,
                                                               const float* vt, int64_t ld) {
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  __m512 qv[kD ? kD : kSmallHeadDim];
  __m512 acc[kDv ? kDv : kSmallHeadDim];
  for (int64_t p = 0; p < d; ++p) qv[p] = _mm512_set1_ps(qs[p]);
  for (int64_t c = 0; c < dv; ++c) acc[c] = _mm512_setzero_ps();
  __m512 lsum = _mm512_setzero_ps();
  const __m512 neg_bound = _mm512_set1_ps(-bound), log2e = _mm512_set1_ps(kLog2e);
  const float* brow = P.bias_row(bh, qi);
  const int64_t kend = P.key_end(qi);
  for (int64_t j = 0; j < kend; j += 16) {
    __m512 x = _mm512_fmadd_ps(qv[d - 1], _mm512_loadu_ps(kt + (d - 1) * ld + j), neg_bound);
    for (int64_t p = d - 2; p >= 0; --p) x = _mm512_fmadd_ps(qv[p], _mm512_loadu_ps(kt + p * ld + j), x);
    const __mmask16 live = cpu::tail_mask(kend - j);
    if (brow) x = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(live, brow + j), log2e, x);
    __m512 e = cpu::exp2_16(x);
    if (live != 0xFFFF) e = _mm512_maskz_mov_ps(live, e);  // keys past the row's end
    lsum = _mm512_add_ps(lsum, e);
    for (int64_t c = 0; c < dv; ++c) acc[c] = _mm512_fmadd_ps(e, _mm512_loadu_ps(vt + c * ld + j), acc[c]);
  }
  const float sum = cpu::hsum16(lsum);
  if (!(sum >= 0x1p-20f) || !std::isfinite(sum)) return false;
  const float inv = 1.0f / sum;
  float* orow = P.out + P.base(P.lo_, bh) + qi * P.lo_.row;
  for (int64_t c = 0; c < dv; ++c) orow[c] = cpu::hsum16(acc[c]) * inv;
  return true;
}

// Small-head kernel for queries [q0, q1) of head bh. kD/kDv: compile-time head
// dims (0 = P.d/P.dv at run time, at most kSmallHeadDim). kt/vt: scratch of
// (D + Dv) * round_up(Lk, 16) floats; buf: kKeyBlock floats.
// Each row's scores are bounded from above (in log2 units: q is scaled by
// scale * log2(e)) by the smaller of the box bound sum_p max_j q_p k_jp and
// Cauchy-Schwarz |q| max_j |k_j|, plus the row's largest bias; rows where the
// bound is too loose for the one-pass kernel take the exact two-pass one.
template <int kD, int kDv>
__attribute__((target("avx512f"))) void small_heads_avx512(const Problem& P, int64_t bh, int64_t q0, int64_t q1,
                                                           float* kt, float* vt, float* buf) {
  const int64_t d = kD ? kD : P.d, dv = kDv ? kDv : P.dv;
  const int64_t lk = P.lk, ld = (lk + 15) / 16 * 16;
  // K^T [D, ld] and V^T [Dv, ld], zero padded: 16 consecutive keys per load;
  // per dimension the keys' range, and the largest squared key norm.
  const float* kb = P.k + P.base(P.lk_, bh);
  const float* vb = P.v + P.base(P.lv_, bh);
  const int64_t k_row = P.lk_.row, v_row = P.lv_.row;
  float kmax[kSmallHeadDim], kmin[kSmallHeadDim];
  std::fill(kmax, kmax + d, kNegInf);
  std::fill(kmin, kmin + d, -kNegInf);
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

  const float qscale = P.scale * kLog2e;
  for (int64_t qi = q0; qi < q1; ++qi) {
    const float* qr = P.q + P.base(P.lq_, bh) + qi * P.lq_.row;
    float qs[kSmallHeadDim];
    float box = 0.0f, qnorm2 = 0.0f;
    for (int64_t p = 0; p < d; ++p) {
      qs[p] = qr[p] * qscale;
      box += qs[p] * (qs[p] >= 0.0f ? kmax[p] : kmin[p]);
      qnorm2 += qs[p] * qs[p];
    }
    // Rounding of the bound itself: a relative 1e-5 (and 1e-30 absolute) of slack.
    float bound = std::min(box, std::sqrt(qnorm2) * knorm);
    bound += 1e-5f * std::fabs(bound) + 1e-30f;
    if (const float* brow = P.bias_row(bh, qi)) {
      float bmax = kNegInf;
      for (int64_t j = 0, kend = P.key_end(qi); j < kend; ++j) bmax = std::max(bmax, brow[j]);
      bound += bmax * kLog2e;
    }
    if (!small_head_row_bounded<kD, kDv>(P, bh, qi, qs, bound, kt, vt, ld))
      small_head_row_two_pass<kD, kDv>(P, bh, qi, kt, vt, ld, buf);
  }
}

using SmallKernel = void (*)(const Problem&, int64_t, int64_t, int64_t, float*, float*, float*);

SmallKernel pick_small_kernel(int64_t d, int64_t dv) {
  if (d == dv) {
    switch (d) {
      case 1: return small_heads_avx512<1, 1>;
      case 2: return small_heads_avx512<2, 2>;
      case 3: return small_heads_avx512<3, 3>;
      case 4: return small_heads_avx512<4, 4>;
      case 8: return small_heads_avx512<8, 8>;
      case 16: return small_heads_avx512<16, 16>;
      default: break;
    }
  }
  return small_heads_avx512<0, 0>;
}

// ---- GEMM kernel ------------------------------------------------------------------

// Queries [q0, q1) of head bh by blocked GEMMs. scores: kGemmQueryBlock x key
// block floats; m, l: kGemmQueryBlock floats each.
template <bool kAvx512>
void gemm_heads(const Problem& P, int64_t bh, int64_t q0, int64_t q1, int64_t key_block, float* scores, float* m,
                float* l) {
  const int64_t rows = q1 - q0, d = P.d, dv = P.dv;
  const int64_t q_row = P.lq_.row, k_row = P.lk_.row, v_row = P.lv_.row, o_row = P.lo_.row;
  const float* qb = P.q + P.base(P.lq_, bh) + q0 * q_row;
  const float* kb = P.k + P.base(P.lk_, bh);
  const float* vb = P.v + P.base(P.lv_, bh);
  float* ob = P.out + P.base(P.lo_, bh) + q0 * o_row;
  std::fill(m, m + rows, kNegInf);
  std::fill(l, l + rows, 0.0f);
  const int64_t kend = P.key_end(q1 - 1);  // the last row sees the most keys
  for (int64_t k0 = 0; k0 < kend; k0 += key_block) {
    const int64_t n = std::min(key_block, kend - k0);
    cpu::sgemm(false, true, rows, n, d, P.scale, qb, q_row, kb + k0 * k_row, k_row, 0.0f, scores, n);
    for (int64_t r = 0; r < rows; ++r) {
      const float* brow = P.bias_row(bh, q0 + r);
      float* s = scores + r * n;
      const int64_t valid = P.key_end(q0 + r) - k0;
      const float corr = kAvx512 ? softmax_block_avx512(s, n, valid, brow ? brow + k0 : nullptr, m[r], l[r])
                                 : softmax_block_scalar(s, n, valid, brow ? brow + k0 : nullptr, m[r], l[r]);
      if (k0 > 0 && corr != 1.0f)
        for (int64_t c = 0; c < dv; ++c) ob[r * o_row + c] *= corr;
    }
    cpu::sgemm(false, false, rows, dv, n, 1.0f, scores, n, vb + k0 * v_row, v_row, k0 == 0 ? 0.0f : 1.0f, ob, o_row);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = 1.0f / l[r];
    for (int64_t c = 0; c < dv; ++c) ob[r * o_row + c] *= inv;
  }
}

// In-place softmax of one row; handles -inf entries.
inline void softmax_row(float* row, int64_t n) {
  float max_value = kNegInf;
  for (int64_t i = 0; i < n; ++i) max_value = std::max(max_value, row[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(row[i] - max_value);
    row[i] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) row[i] *= inv;
}

}  // namespace

namespace cpu {

void set_attention_isa(AttentionIsa isa) { isa_slot().store(isa); }

AttentionIsa attention_isa() {
  const AttentionIsa isa = isa_slot().load();
  if (isa == AttentionIsa::kScalar || !cpu::has_avx512()) return AttentionIsa::kScalar;
  return AttentionIsa::kAvx512;
}

std::string_view attention_isa_name(AttentionIsa isa) {
  switch (isa) {
    case AttentionIsa::kAuto: return "auto";
    case AttentionIsa::kScalar: return "scalar";
    case AttentionIsa::kAvx512: return "avx512";
  }
  return "?";
}

}  // namespace cpu

Tensor softmax(const Tensor& x_in, int64_t dim) {
  cpu::require_cpu("softmax", {&x_in});
  cpu::require_float("softmax", "input", x_in);
  const int64_t last = x_in.dim() - 1;
  const int64_t w = x_in.wrap_dim(dim);
  if (w != last) return softmax(x_in.transpose(w, last), -1).transpose(w, last);
  Tensor out = cpu::as_f32(x_in).clone();
  const int64_t n = out.size(-1);
  const int64_t rows = n == 0 ? 0 : out.numel() / n;
  float* p = out.data<float>();
  cpu::parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) softmax_row(p + r * n, n);
  });
  return out;
}

namespace {

// Bias strides {b, h, q} (0 where broadcast) after checking that `bias`
// broadcasts to [B, H, Lq, Lk]; zeros when undefined.
std::array<int64_t, 3> bias_strides(const char* op, const Tensor& bias, int64_t b, int64_t h, int64_t lq, int64_t lk) {
  int64_t bs[4] = {0, 0, 0, 0};
  if (bias.defined()) {
    cpu::require_float(op, "bias", bias);
    const int64_t full[4] = {b, h, lq, lk};
    if (bias.dim() != 4) cpu::fail(op, "bias must be 4-D [B|1, H|1, Lq|1, Lk], got " + bias.to_string());
    int64_t stride = 1;
    for (int i = 3; i >= 0; --i) {
      const int64_t s = bias.size(i);
      if (s != full[i] && !(s == 1 && i < 3))
        cpu::fail(op, "bias " + bias.to_string() + " does not broadcast to [" + std::to_string(b) + ", " +
                          std::to_string(h) + ", " + std::to_string(lq) + ", " + std::to_string(lk) + "]");
      bs[i] = s == 1 ? 0 : stride;
      stride *= s;
    }
  }
  return {bs[0], bs[1], bs[2]};
}

// Fills P's scalars and pointers (layouts are the caller's) and runs it over
// `b` batches into `out` (already shaped).
void run_attention(Problem& P, int64_t b, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
                   const std::array<int64_t, 3>& bs, const AttentionOptions& options, Tensor& out) {
  if (out.numel() == 0) return;
  if (P.lk == 0) {  // nothing to attend to: zeros, as an empty weighted sum
    std::fill(out.data<float>(), out.data<float>() + out.numel(), 0.0f);
    return;
  }
  const int64_t h = P.h, lq = P.lq, lk = P.lk, d = P.d, dv = P.dv;
  P.scale = static_cast<float>(std::isnan(options.scale) ? 1.0 / std::sqrt(static_cast<double>(d)) : options.scale);
  P.causal = options.causal;
  P.q = q.data<float>();
  P.k = k.data<float>();
  P.v = v.data<float>();
  P.bias = bias.defined() ? bias.data<float>() : nullptr;
  P.bias_stride_b = bs[0];
  P.bias_stride_h = bs[1];
  P.bias_stride_q = bs[2];
  P.out = out.data<float>();

  const bool avx512 = cpu::attention_isa() == cpu::AttentionIsa::kAvx512;
  const bool small = avx512 && d >= 1 && d <= kSmallHeadDim && dv <= kSmallHeadDim;
  const int64_t query_block = std::min(lq, small ? kSmallQueryBlock : kGemmQueryBlock);
  const int64_t blocks_per_head = (lq + query_block - 1) / query_block;
  const int64_t tasks = b * h * blocks_per_head;
  const int64_t key_block = small ? kKeyBlock : (lk <= kGemmWholeKeys ? lk : kKeyBlock);
  const int64_t ld = (lk + 15) / 16 * 16;
  const SmallKernel small_kernel = small ? pick_small_kernel(d, dv) : nullptr;

  auto run_range = [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(small ? static_cast<size_t>((d + dv) * ld + kKeyBlock)
                                     : static_cast<size_t>(query_block * (key_block + 2)));
    for (int64_t t = begin; t < end; ++t) {
      const int64_t bh = t / blocks_per_head, q0 = (t % blocks_per_head) * query_block;
      const int64_t q1 = std::min(lq, q0 + query_block);
      if (small) {
        small_kernel(P, bh, q0, q1, scratch.data(), scratch.data() + d * ld, scratch.data() + (d + dv) * ld);
      } else {
        float* scores = scratch.data();
        float* m = scores + query_block * key_block;
        if (avx512)
          gemm_heads<true>(P, bh, q0, q1, key_block, scores, m, m + query_block);
        else
          gemm_heads<false>(P, bh, q0, q1, key_block, scores, m, m + query_block);
      }
    }
  };
  // Tasks run in parallel with single-threaded GEMMs (oneDNN runs serially
  // inside a parallel region). OpenBLAS keeps its own pool: with it the GEMM
  // kernel runs tasks in order and lets the library thread.
  if (!small && cpu::gemm_backend() != cpu::GemmBackend::kOneDnn) {
    run_range(0, tasks);
    return;
  }
  // At least ~64 K multiply-adds per thread: a KV-cached GPT-2 step (one
  // query, 12 heads of 64) is cheaper than waking a second thread.
  const int64_t work_per_task = std::max<int64_t>(1, query_block * lk * (d + dv));
  cpu::parallel_for(tasks, std::max<int64_t>(1, (int64_t{1} << 16) / work_per_task), run_range);
}

struct Dims {
  int64_t h, lq, lk, d, dv;
};

// The part attention and attention_heads share once their shapes are
// checked: causal and bias checks, f32 inputs, the Problem in `layout`, the run.
Tensor checked_attention(const char* op, const Tensor& q_in, const Tensor& k_in, const Tensor& v_in,
                         const AttentionOptions& options, int64_t b, Dims n, Layout (*layout)(int64_t, int64_t, int64_t),
                         const Shape& out_shape) {
  if (options.causal && n.lk < n.lq) cpu::fail(op, "causal attention needs at least as many keys as queries");
  const auto bs = bias_strides(op, options.bias, b, n.h, n.lq, n.lk);
  const Tensor q = cpu::as_f32(q_in), k = cpu::as_f32(k_in), v = cpu::as_f32(v_in), bias = cpu::as_f32(options.bias);
  Tensor out = Tensor::empty(out_shape);
  Problem P{};
  P.h = n.h;
  P.lq = n.lq;
  P.lk = n.lk;
  P.d = n.d;
  P.dv = n.dv;
  P.lq_ = layout(n.h, n.lq, n.d);
  P.lk_ = layout(n.h, n.lk, n.d);
  P.lv_ = layout(n.h, n.lk, n.dv);
  P.lo_ = layout(n.h, n.lq, n.dv);
  run_attention(P, b, q, k, v, bias, bs, options, out);
  return out;
}

}  // namespace

Tensor attention(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, const AttentionOptions& options) {
  const char* op = "attention";
  cpu::require_cpu(op, {&q_in, &k_in, &v_in, &options.bias});
  cpu::require_float(op, "q", q_in);
  cpu::require_float(op, "k", k_in);
  cpu::require_float(op, "v", v_in);
  if (q_in.dim() != 4 || k_in.dim() != 4 || v_in.dim() != 4)
    cpu::fail(op, "expected 4-D [B, H, L, D] q, k, v, got " + q_in.to_string() + ", " + k_in.to_string() + ", " +
                      v_in.to_string());
  const int64_t b = q_in.size(0), h = q_in.size(1), lq = q_in.size(2), d = q_in.size(3);
  const int64_t lk = k_in.size(2), dv = v_in.size(3);
  if (k_in.size(0) != b || k_in.size(1) != h || k_in.size(3) != d || v_in.size(0) != b || v_in.size(1) != h ||
      v_in.size(2) != lk)
    cpu::fail(op, "q " + q_in.to_string() + ", k " + k_in.to_string() + ", v " + v_in.to_string() + " do not match");
  return checked_attention(op, q_in, k_in, v_in, options, b, {h, lq, lk, d, dv}, Layout::heads_major,
                           {b, h, lq, dv});
}

Tensor attention_heads(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, int64_t heads,
                       const AttentionOptions& options) {
  const char* op = "attention_heads";
  cpu::require_cpu(op, {&q_in, &k_in, &v_in, &options.bias});
  cpu::require_float(op, "q", q_in);
  cpu::require_float(op, "k", k_in);
  cpu::require_float(op, "v", v_in);
  if (q_in.dim() != 3 || k_in.dim() != 3 || v_in.dim() != 3)
    cpu::fail(op, "expected 3-D [B, L, H*D] q, k, v, got " + q_in.to_string() + ", " + k_in.to_string() + ", " +
                      v_in.to_string());
  if (heads < 1 || q_in.size(2) % heads != 0 || v_in.size(2) % heads != 0)
    cpu::fail(op, "q " + q_in.to_string() + " and v " + v_in.to_string() + " do not split into " +
                      std::to_string(heads) + " heads");
  const int64_t b = q_in.size(0), lq = q_in.size(1), d = q_in.size(2) / heads;
  const int64_t lk = k_in.size(1), dv = v_in.size(2) / heads;
  if (k_in.size(0) != b || k_in.size(2) != q_in.size(2) || v_in.size(0) != b || v_in.size(1) != lk)
    cpu::fail(op, "q " + q_in.to_string() + ", k " + k_in.to_string() + ", v " + v_in.to_string() + " do not match");
  return checked_attention(op, q_in, k_in, v_in, options, b, {heads, lq, lk, d, dv}, Layout::tokens_major,
                           {b, lq, heads * dv});
}

}  // namespace foley::tensor
