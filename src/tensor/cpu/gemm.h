#pragma once

#include <cstdint>
#include <string_view>

namespace foley::tensor::cpu {

// The library behind sgemm(). Chosen by measurement (docs/runtime.md);
// FOLEY_GEMM=openblas|onednn in the environment overrides it (benchmarks).
enum class GemmBackend { kOpenBlas, kOneDnn };

GemmBackend gemm_backend();
void set_gemm_backend(GemmBackend backend);
std::string_view gemm_backend_name(GemmBackend backend);

// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, where op(X) is
// X or X^T; lda/ldb/ldc are row strides in elements of the matrices as stored.
// Threads itself over num_threads(); runs single-threaded when called from
// inside a parallel region (oneDNN) so callers may parallelise over batches.
void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// A row stride (in floats) for a copy of a matrix with rows of n floats: n
// rounded up to an odd number of 64-byte cache lines. A GEMM walks its
// operands down the rows; with a stride that is a multiple of 2 or 4 KiB those
// rows fall into the same few L1 sets and the kernel runs at half its speed
// (AVX2, Zen 3: a linear layer 128 x 640 -> 5120 and a 1x1 convolution on a
// 1024-pixel plane both; docs/performance.md).
inline int64_t padded_row_stride(int64_t n) {
  constexpr int64_t kLine = 16;  // floats in a 64-byte cache line
  const int64_t lines = (n + kLine - 1) / kLine;
  return (lines % 2 == 0 ? lines + 1 : lines) * kLine;
}

// Whether rows of n floats lie a multiple of 2 KiB apart: what padded_row_stride
// is for.
inline bool row_stride_aliases(int64_t n) { return n % 512 == 0; }

// Applies the thread count to the GEMM libraries (called by set_num_threads).
void set_gemm_threads(int n);

}  // namespace foley::tensor::cpu
