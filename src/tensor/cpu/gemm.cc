#include "tensor/cpu/gemm.h"

#include <cblas.h>
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "tensor/cpu/isa.h"

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

// OpenBLAS is a benchmark comparison only, so it is opened on first use rather
// than linked: a linked OpenBLAS starts a worker thread at load that spins on
// sched_yield for the life of every process, including foley-gen processes
// that only wait on an HTTP answer.
struct OpenBlas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  decltype(&openblas_set_num_threads) set_num_threads = nullptr;
};

const OpenBlas& openblas() {
  static const OpenBlas lib = [] {
    OpenBlas l;
    void* handle = ::dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!handle) return l;
    l.sgemm = reinterpret_cast<decltype(&cblas_sgemm)>(::dlsym(handle, "cblas_sgemm"));
    l.set_num_threads = reinterpret_cast<decltype(&openblas_set_num_threads)>(::dlsym(handle, "openblas_set_num_threads"));
    return l;
  }();
  return lib;
}

std::atomic<int>& openblas_threads() {
  static std::atomic<int> n{0};
  return n;
}

}  // namespace

GemmBackend gemm_backend() { return backend_slot().load(std::memory_order_relaxed); }
void set_gemm_backend(GemmBackend backend) {
  if (backend == GemmBackend::kOpenBlas && !openblas().sgemm)
    throw Error("FOLEY_GEMM=openblas: cannot open libopenblas.so.0 (install libopenblas0)");
  backend_slot().store(backend, std::memory_order_relaxed);
}

std::string_view gemm_backend_name(GemmBackend backend) {
  return backend == GemmBackend::kOpenBlas ? "openblas" : "onednn";
}

void set_gemm_threads(int n) {
  openblas_threads().store(n, std::memory_order_relaxed);
  if (gemm_backend() == GemmBackend::kOpenBlas && openblas().set_num_threads) openblas().set_num_threads(n);
}

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
    init_onednn_isa();
    const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, alpha, a,
                                            lda, b, ldb, beta, c, ldc);
    if (status != dnnl_success)
      throw Error::failure("dnnl_sgemm failed (status " + std::to_string(static_cast<int>(status)) + ")");
    return;
  }
  const OpenBlas& blas = openblas();
  if (!blas.sgemm) throw Error("FOLEY_GEMM=openblas: cannot open libopenblas.so.0 (install libopenblas0)");
  // The thread count set before the library was opened, applied once.
  static std::atomic<int> applied{0};
  if (int threads = openblas_threads().load(std::memory_order_relaxed); threads > 0 && applied.exchange(threads) != threads)
    blas.set_num_threads(threads);
  blas.sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

}  // namespace foley::tensor::cpu
