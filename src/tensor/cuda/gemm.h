#pragma once

// GEMM on cuBLASLt: 16-bit (bf16 or f16) inputs, f32 accumulation and f32
// output, row-major operands, strided batches (stride 0 broadcasts an
// operand). The algorithm is chosen by cuBLASLt's heuristic for the actual
// pointer alignments; the same shapes get the same algorithm, so results are
// reproducible run to run on one GPU.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/elementwise.h"

namespace foley::tensor::cuda {

struct GemmArgs {
  // C[b] (m x n, row-major, leading dim ldc) = A[b] (m x k, lda) @ op(B[b]),
  // where op(B) = B (k x n, ldb) or, with transpose_b, B^T for B (n x k, ldb).
  const void* a = nullptr;
  const void* b = nullptr;
  float* c = nullptr;
  kernels::Elem elem = kernels::Elem::kBF16;  // type of A and B (bf16 or f16)
  int64_t m = 0, n = 0, k = 0;
  int64_t lda = 0, ldb = 0, ldc = 0;
  bool transpose_b = false;
  int64_t batch = 1;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // elements between batches
};

// Runs the GEMM on `stream` on the current device. Throws foley::Error::failure
// with cuBLASLt's status when no algorithm fits or the call fails.
void gemm(const GemmArgs& args, cudaStream_t stream);

}  // namespace foley::tensor::cuda
