#pragma once

// One attention call as the CPU kernels see it (attention.cc runs it; the
// vector kernels of attention_simd.h take it).

#include <cstdint>
#include <limits>

namespace foley::tensor::cpu {

inline constexpr float kAttentionNegInf = -std::numeric_limits<float>::infinity();
inline constexpr float kAttentionLog2e = 1.44269504088896341f;
// D and Dv at most this: the key-vectorised small-head kernel. It holds a
// query's D and an output's Dv vectors in registers; past 4 they spill (AVX2,
// Zen 3: [2, 1024] tokens, one head of 16, 13.6 ms against 1.26 ms by the GEMM
// kernel; 8 heads of 8: 22.5 against 7.9 ms; 8 heads of 4: 5.5 against 7.1 ms).
inline constexpr int64_t kSmallHeadDim = 4;
// Keys per online-softmax block of the small-head kernel's two-pass rows.
inline constexpr int64_t kSmallHeadKeyBlock = 512;

// Where one operand's rows live: row r of head (b, h) starts at
// data + b * batch + h * head + r * row (elements).
struct AttentionLayout {
  int64_t batch, head, row;
  // [B, H, L, D] dense.
  static AttentionLayout heads_major(int64_t h, int64_t l, int64_t d) { return {h * l * d, l * d, d}; }
  // [B, L, H*D] dense (token-major: heads side by side in each row).
  static AttentionLayout tokens_major(int64_t h, int64_t l, int64_t d) { return {l * h * d, d, h * d}; }
};

// q/k/v/out rows located by their layouts; bias rows found by strides (0
// where broadcast), keys contiguous.
struct AttentionProblem {
  int64_t h, lq, lk, d, dv;
  float scale;
  bool causal;
  const float *q, *k, *v, *bias;
  AttentionLayout lq_, lk_, lv_, lo_;
  int64_t bias_stride_b, bias_stride_h, bias_stride_q;
  float* out;

  int64_t base(const AttentionLayout& l, int64_t bh) const { return (bh / h) * l.batch + (bh % h) * l.head; }

  // Keys query qi may see: all, or up to the causal diagonal aligned to the end.
  int64_t key_end(int64_t qi) const { return causal ? lk - lq + qi + 1 : lk; }
  const float* bias_row(int64_t bh, int64_t qi) const {
    return bias ? bias + (bh / h) * bias_stride_b + (bh % h) * bias_stride_h + qi * bias_stride_q : nullptr;
  }
};

}  // namespace foley::tensor::cpu
