#include "tensor/cpu/gemm.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "common/error.h"

namespace foley::tensor::cpu {
namespace {

GemmBackend initial_backend() {
  const char* env = std::getenv("FOLEY_GEMM");
  if (env && std::string(env) == "openblas") return GemmBackend::kOpenBlas;
  if (env && std::string(env) == "onednn") return GemmBackend::kOneDnn;
  return GemmBackend::kOneDnn;  // measured faster on our shapes: docs/runtime.md
}

std::atomic<GemmBackend>& backend_slot() {
  static std::atomic<GemmBackend> backend{initial_backend()};
  return backend;
}

}  // namespace

GemmBackend gemm_backend() { return backend_slot().load(std::memory_order_relaxed); }
void set_gemm_backend(GemmBackend backend) { backend_slot().store(backend, std::memory_order_relaxed); }

std::string_view gemm_backend_name(GemmBackend backend) {
  return backend == GemmBackend::kOpenBlas ? "openblas" : "onednn";
}

void set_gemm_threads(int n) { openblas_set_num_threads(n); }

void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    // BLAS semantics: C = beta * C.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  if (gemm_backend() == GemmBackend::kOneDnn) {
    const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, alpha, a,
                                            lda, b, ldb, beta, c, ldc);
    if (status != dnnl_success)
      throw Error::failure("dnnl_sgemm failed (status " + std::to_string(static_cast<int>(status)) + ")");
    return;
  }
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

}  // namespace foley::tensor::cpu
