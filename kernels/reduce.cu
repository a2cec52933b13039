// Reductions along one dim (see reduce.h).
#include "kernels/common.cuh"
#include "kernels/reduce.h"

namespace foley::kernels {
namespace {

using detail::grid_for;
using detail::kThreads;

__global__ void sum_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t outer, int64_t size,
                           int64_t inner, double scale) {
  const int64_t n = outer * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = i / inner, c = i % inner;
    const float* p = x + o * size * inner + c;
    double acc = 0.0;
    for (int64_t r = 0; r < size; ++r) acc += p[r * inner];
    y[i] = static_cast<float>(scale == 1.0 ? acc : acc * scale);
  }
}

template <typename T, typename Acc>
__global__ void cumsum_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer, int64_t size,
                              int64_t inner) {
  const int64_t n = outer * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (i / inner) * size * inner + i % inner;
    Acc running = 0;
    for (int64_t r = 0; r < size; ++r) {
      running += static_cast<Acc>(x[base + r * inner]);
      y[base + r * inner] = static_cast<T>(running);
    }
  }
}

__global__ void l2_normalize_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t outer, int64_t size,
                                    int64_t inner, double eps) {
  const int64_t n = outer * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (i / inner) * size * inner + i % inner;
    double sq = 0.0;
    for (int64_t r = 0; r < size; ++r) {
      const double v = x[base + r * inner];
      sq += v * v;
    }
    const float inv = static_cast<float>(1.0 / fmax(sqrt(sq), eps));
    for (int64_t r = 0; r < size; ++r) y[base + r * inner] = x[base + r * inner] * inv;
  }
}

}  // namespace

cudaError_t sum_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, double scale,
                        cudaStream_t stream) {
  if (outer * inner > 0) sum_kernel<<<grid_for(outer * inner), kThreads, 0, stream>>>(x, y, outer, size, inner, scale);
  return cudaGetLastError();
}

cudaError_t cumsum_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, cudaStream_t stream) {
  // The CPU accumulates f32 prefix sums in f32; so does this.
  if (outer * inner > 0)
    cumsum_kernel<float, float><<<grid_for(outer * inner), kThreads, 0, stream>>>(x, y, outer, size, inner);
  return cudaGetLastError();
}

cudaError_t cumsum_dim_i64(const int64_t* x, int64_t* y, int64_t outer, int64_t size, int64_t inner,
                           cudaStream_t stream) {
  if (outer * inner > 0)
    cumsum_kernel<int64_t, int64_t><<<grid_for(outer * inner), kThreads, 0, stream>>>(x, y, outer, size, inner);
  return cudaGetLastError();
}

cudaError_t l2_normalize_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, double eps,
                                 cudaStream_t stream) {
  if (outer * inner > 0)
    l2_normalize_kernel<<<grid_for(outer * inner), kThreads, 0, stream>>>(x, y, outer, size, inner, eps);
  return cudaGetLastError();
}

}  // namespace foley::kernels
