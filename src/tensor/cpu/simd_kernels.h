#pragma once

// The hand-written vector kernels of the CPU ops, one table per ISA. The
// kernels are written once (activation_simd.h, attention_simd.h, norm_simd.h,
// conv_winograd1d_simd.h, conv_winograd2d_simd.h) against a 16-lane vector and compiled twice:
// simd_avx512.cc (one zmm) and simd_avx2.cc (two ymm + FMA). Both tables give
// the same bits; the ops keep their scalar loops for Isa::kScalar.

#include <cstdint>

#include "tensor/cpu/isa.h"

namespace foley::tensor::cpu {

struct AttentionProblem;
struct Conv1dEpilogue;
struct NarrowConv1d;
namespace winograd1d {
struct Matrices;
}

struct SimdKernels {
  Isa isa;
  // elementwise.cc: y[i] = f(x[i]), i in [begin, end).
  using Map = void (*)(const float* x, float* y, int64_t begin, int64_t end);
  Map silu, gelu_erf, gelu_tanh;
  // Rows [begin, end) of GEGLU: y[r][j] = x[r][j] * gelu_erf(x[r][f + j]).
  void (*geglu)(const float* x, float* y, int64_t f, int64_t begin, int64_t end);
  // norm.cc: d[i] = silu(s[i] * scale + shift).
  void (*affine_silu)(const float* s, float* d, int64_t n, float scale, float shift);
  // norm.cc (norm_simd.h): the sum of x[0, n) and of (x[i] - mean)^2, in double
  // across blocks; layer_norm over rows of n: y[i] = ((x[i] - mean) * inv) * w[i] + b[i].
  double (*norm_sum)(const float* x, int64_t n);
  double (*norm_sum_sq_dev)(const float* x, int64_t n, float mean);
  void (*layer_norm_rows)(const float* x, float* y, int64_t rows, int64_t n, double eps, const float* w,
                          const float* b);
  // attention.cc: one online-softmax step (softmax_block_scalar's contract).
  float (*softmax_block)(float* s, int64_t n, int64_t valid, const float* bias, float& m, float& l);
  // attention.cc: the small-head kernel for head dims d, dv <= kSmallHeadDim.
  using SmallHeads = void (*)(const AttentionProblem&, int64_t bh, int64_t q0, int64_t q1, float* kt, float* vt,
                              float* buf);
  SmallHeads (*small_heads)(int64_t d, int64_t dv);
  // conv_winograd1d.cc: its scalar functions' contracts (gather: false when it
  // leaves the row to the scalar loop; interleave: the tiles it did).
  bool (*winograd_gather)(const float* src, int64_t step, int64_t count, bool has_slope, float slope, float* dst);
  void (*winograd_input_transform)(const float* const* f, const winograd1d::Matrices& mx, float* const* dst,
                                   int64_t row);
  void (*winograd_output_transform)(const float* const* mrow, const winograd1d::Matrices& mx, float* const* out,
                                    int64_t tiles);
  int64_t (*winograd_interleave)(const float* const* o, int64_t tiles, float* y, int64_t len);
  void (*conv1d_epilogue)(float* y, int64_t len, float bias, const float* r1, const float* r2,
                          const Conv1dEpilogue& ep);
  // conv_narrow1d.cc: output channels [co0, co1) over outputs [l0, l1), with the epilogue.
  void (*narrow_conv1d)(const NarrowConv1d& p, int64_t co0, int64_t co1, int64_t l0, int64_t l1);
  // conv_winograd2d.cc: the input (6 -> 6) and output (6 -> 4) transforms along one axis, n lanes.
  void (*winograd2d_input_rows)(const float* const* in, float* const* out, int64_t n);
  void (*winograd2d_output_rows)(const float* const* in, float* const* out, int64_t n);
};

extern const SimdKernels kSimdKernelsAvx512;
extern const SimdKernels kSimdKernelsAvx2;

// The table of cpu_isa(); null when it is Isa::kScalar.
inline const SimdKernels* simd_kernels() {
  switch (cpu_isa()) {
    case Isa::kAvx512: return &kSimdKernelsAvx512;
    case Isa::kAvx2: return &kSimdKernelsAvx2;
    case Isa::kScalar: break;
  }
  return nullptr;
}

}  // namespace foley::tensor::cpu
