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

// Applies the thread count to the GEMM libraries (called by set_num_threads).
void set_gemm_threads(int n);

}  // namespace foley::tensor::cpu
