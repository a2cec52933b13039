#include "tensor/cuda/gemm.h"

#include <cublasLt.h>

#include <map>
#include <mutex>
#include <string>

#include "common/error.h"
#include "tensor/cuda/runtime.h"

namespace foley::tensor::cuda {
namespace {

constexpr size_t kWorkspaceBytes = size_t(32) << 20;

void check_lt(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw Error::failure(std::string("cuBLASLt error in ") + what + ": status " + std::to_string(int(status)));
}

// One cuBLASLt handle per device, created on first use and kept for the
// process. The workspace is NOT shared: each call takes one from the
// stream-ordered pool, so concurrent streams never race on it.
cublasLtHandle_t handle_for(int device) {
  static std::mutex mutex;
  static std::map<int, cublasLtHandle_t> handles;
  std::lock_guard<std::mutex> lock(mutex);
  cublasLtHandle_t& handle = handles[device];
  if (!handle) check_lt(cublasLtCreate(&handle), "cublasLtCreate");
  return handle;
}

// Largest power of two (<= 256) dividing the address: cuBLASLt's heuristic
// must not pick a kernel that assumes more alignment than the pointer has.
uint32_t alignment_of(const void* p) {
  const auto address = reinterpret_cast<uintptr_t>(p);
  uint32_t a = 256;
  while (a > 1 && address % a != 0) a /= 2;
  return a;
}

// RAII holders for the descriptor handles.
struct Layout {
  cublasLtMatrixLayout_t handle = nullptr;
  Layout(cudaDataType_t type, int64_t rows, int64_t cols, int64_t ld, int64_t batch, int64_t stride) {
    check_lt(cublasLtMatrixLayoutCreate(&handle, type, rows, cols, ld), "cublasLtMatrixLayoutCreate");
    if (batch > 1) {
      const int32_t count = static_cast<int32_t>(batch);
      check_lt(cublasLtMatrixLayoutSetAttribute(handle, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
               "layout batch count");
      check_lt(cublasLtMatrixLayoutSetAttribute(handle, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                                sizeof(stride)),
               "layout batch stride");
    }
  }
  ~Layout() { cublasLtMatrixLayoutDestroy(handle); }
};

}  // namespace

void gemm(const GemmArgs& g, cudaStream_t stream) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  if (g.k == 0) {
    for (int64_t b = 0; b < g.batch; ++b)
      check(cudaMemset2DAsync(g.c + b * g.stride_c, g.ldc * sizeof(float), 0, g.n * sizeof(float), g.m, stream),
            "cudaMemset2DAsync");
    return;
  }
  if (g.elem != kernels::Elem::kBF16 && g.elem != kernels::Elem::kF16)
    throw Error("gemm: operands must be bf16 or f16");
  const cudaDataType_t in_type = g.elem == kernels::Elem::kBF16 ? CUDA_R_16BF : CUDA_R_16F;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  const cublasLtHandle_t handle = handle_for(device);
  // Freed in stream order after the matmul (the pool caches it for the next call).
  const std::shared_ptr<Storage> workspace_storage = allocate(kWorkspaceBytes, Device::cuda(device));

  // cuBLASLt is column-major: row-major C = A op(B) is column-major
  // C^T (n x m) = op(B)^T A^T, so B is cuBLASLt's first operand.
  cublasLtMatmulDesc_t op = nullptr;
  check_lt(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
  struct OpGuard {
    cublasLtMatmulDesc_t d;
    ~OpGuard() { cublasLtMatmulDescDestroy(d); }
  } op_guard{op};
  const cublasOperation_t trans_first = g.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t trans_second = CUBLAS_OP_N;
  check_lt(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &trans_first, sizeof(trans_first)),
           "desc transa");
  check_lt(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &trans_second, sizeof(trans_second)),
           "desc transb");

  // First operand (B): stored n x k column-major (= row-major k x n), or k x n
  // column-major (= row-major n x k) to be transposed.
  const Layout first(in_type, g.transpose_b ? g.k : g.n, g.transpose_b ? g.n : g.k, g.ldb, g.batch, g.stride_b);
  // Second operand (A): row-major m x k = column-major k x m.
  const Layout second(in_type, g.k, g.m, g.lda, g.batch, g.stride_a);
  const Layout out(CUDA_R_32F, g.n, g.m, g.ldc, g.batch, g.stride_c);

  cublasLtMatmulPreference_t pref = nullptr;
  check_lt(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
  struct PrefGuard {
    cublasLtMatmulPreference_t p;
    ~PrefGuard() { cublasLtMatmulPreferenceDestroy(p); }
  } pref_guard{pref};
  const size_t workspace = kWorkspaceBytes;
  check_lt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                sizeof(workspace)),
           "pref workspace");
  const uint32_t align_first = alignment_of(g.b), align_second = alignment_of(g.a), align_c = alignment_of(g.c);
  check_lt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align_first,
                                                sizeof(align_first)),
           "pref align a");
  check_lt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align_second,
                                                sizeof(align_second)),
           "pref align b");
  check_lt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align_c,
                                                sizeof(align_c)),
           "pref align c");
  check_lt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align_c,
                                                sizeof(align_c)),
           "pref align d");

  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  check_lt(cublasLtMatmulAlgoGetHeuristic(handle, op, first.handle, second.handle, out.handle, out.handle, pref, 1,
                                          &result, &found),
           "cublasLtMatmulAlgoGetHeuristic");
  if (found == 0)
    throw Error::failure("cuBLASLt has no algorithm for a " + std::to_string(g.m) + "x" + std::to_string(g.n) + "x" +
                         std::to_string(g.k) + " GEMM with these alignments");
  const float alpha = 1.0f, beta = 0.0f;
  check_lt(cublasLtMatmul(handle, op, &alpha, g.b, first.handle, g.a, second.handle, &beta, g.c, out.handle, g.c,
                          out.handle, &result.algo, workspace_storage->data(), kWorkspaceBytes, stream),
           "cublasLtMatmul");
}

}  // namespace foley::tensor::cuda
