// Element-moving kernels (see indexing.h).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/common.cuh"
#include "kernels/indexing.h"

namespace foley::kernels {
namespace {

using detail::grid_for;
using detail::kThreads;

template <typename T>
__global__ void strided_copy_kernel(const T* __restrict__ x, T* __restrict__ y, StridedCopy c, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, ix = 0, iy = 0;
    for (int d = c.rank - 1; d >= 0; --d) {
      const int64_t coord = rest % c.shape[d];
      rest /= c.shape[d];
      ix += coord * c.x_stride[d];
      iy += coord * c.y_stride[d];
    }
    y[iy] = x[ix];
  }
}

template <typename T, typename Index>
__global__ void gather_rows_kernel(const T* __restrict__ x, const Index* __restrict__ index, T* __restrict__ y,
                                   int64_t outer, int64_t size, int64_t count, int64_t inner) {
  const int64_t n = outer * count * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t col = i % inner, row = (i / inner) % count, o = i / (inner * count);
    y[i] = x[(o * size + static_cast<int64_t>(index[row])) * inner + col];
  }
}

template <typename T>
__global__ void fill_kernel(T* __restrict__ y, int64_t n, T value) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = value;
}

__device__ __forceinline__ double load_as_double(const void* p, Dtype t, int64_t i) {
  switch (t) {
    case Dtype::kF32: return static_cast<const float*>(p)[i];
    case Dtype::kF16: return __half2float(static_cast<const __half*>(p)[i]);
    case Dtype::kBF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case Dtype::kI32: return static_cast<const int32_t*>(p)[i];
    default: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
  }
}

__global__ void convert_any_kernel(const void* __restrict__ x, Dtype from, void* __restrict__ y, Dtype to, int64_t n) {
  const bool ints = (from == Dtype::kI32 || from == Dtype::kI64) && (to == Dtype::kI32 || to == Dtype::kI64);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if (ints) {  // exact, without a trip through double
      const int64_t v = from == Dtype::kI32 ? static_cast<const int32_t*>(x)[i] : static_cast<const int64_t*>(x)[i];
      if (to == Dtype::kI32) static_cast<int32_t*>(y)[i] = static_cast<int32_t>(v);
      else static_cast<int64_t*>(y)[i] = v;
      continue;
    }
    const double v = load_as_double(x, from, i);
    // Floating sources are at most f32, so going through f32 rounds exactly once.
    const float f = static_cast<float>(v);
    switch (to) {
      case Dtype::kF32: static_cast<float*>(y)[i] = f; break;
      case Dtype::kF16: static_cast<__half*>(y)[i] = __float2half_rn(f); break;
      case Dtype::kBF16: static_cast<__nv_bfloat16*>(y)[i] = __float2bfloat16_rn(f); break;
      case Dtype::kI32: static_cast<int32_t*>(y)[i] = static_cast<int32_t>(v); break;
      default: static_cast<int64_t*>(y)[i] = static_cast<int64_t>(v); break;
    }
  }
}

template <typename T>
__global__ void binary_int_kernel(Binary op, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ y,
                                  Broadcast bc, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t ia, ib;
    detail::broadcast_offsets(bc, i, ia, ib);
    const T va = a[ia], vb = b[ib];
    switch (op) {
      case Binary::kAdd: y[i] = va + vb; break;
      case Binary::kSub: y[i] = va - vb; break;
      case Binary::kMul: y[i] = va * vb; break;
      default: y[i] = va / vb; break;
    }
  }
}

int64_t count_of(const int64_t* shape, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= shape[d];
  return n;
}

}  // namespace

cudaError_t strided_copy(const void* x, void* y, const StridedCopy& c, int elem_bytes, cudaStream_t stream) {
  const int64_t n = count_of(c.shape, c.rank);
  if (n <= 0) return cudaSuccess;
  switch (elem_bytes) {
    case 1: strided_copy_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), c, n); break;
    case 2: strided_copy_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint16_t*>(x), static_cast<uint16_t*>(y), c, n); break;
    case 4: strided_copy_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint32_t*>(x), static_cast<uint32_t*>(y), c, n); break;
    case 8: strided_copy_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint64_t*>(x), static_cast<uint64_t*>(y), c, n); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

template <typename T>
static void launch_gather(const void* x, const void* index, bool i64, void* y, int64_t outer, int64_t size,
                          int64_t count, int64_t inner, cudaStream_t stream) {
  const int64_t n = outer * count * inner;
  if (i64)
    gather_rows_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<const int64_t*>(index),
                                                             static_cast<T*>(y), outer, size, count, inner);
  else
    gather_rows_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<const int32_t*>(index),
                                                             static_cast<T*>(y), outer, size, count, inner);
}

cudaError_t gather_rows(const void* x, const void* index, bool index_i64, void* y, int64_t outer, int64_t size,
                        int64_t count, int64_t inner, int elem_bytes, cudaStream_t stream) {
  if (outer * count * inner <= 0) return cudaSuccess;
  switch (elem_bytes) {
    case 2: launch_gather<uint16_t>(x, index, index_i64, y, outer, size, count, inner, stream); break;
    case 4: launch_gather<uint32_t>(x, index, index_i64, y, outer, size, count, inner, stream); break;
    case 8: launch_gather<uint64_t>(x, index, index_i64, y, outer, size, count, inner, stream); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t fill(void* y, int64_t n, uint64_t bits, int elem_bytes, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  switch (elem_bytes) {
    case 2: fill_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<uint16_t*>(y), n, static_cast<uint16_t>(bits)); break;
    case 4: fill_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<uint32_t*>(y), n, static_cast<uint32_t>(bits)); break;
    case 8: fill_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<uint64_t*>(y), n, bits); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t convert_any(const void* x, Dtype from, void* y, Dtype to, int64_t n, cudaStream_t stream) {
  if (n > 0) convert_any_kernel<<<grid_for(n), kThreads, 0, stream>>>(x, from, y, to, n);
  return cudaGetLastError();
}

cudaError_t binary_int(Binary op, const void* a, const void* b, void* y, const Broadcast& bc, bool i64,
                       cudaStream_t stream) {
  const int64_t n = count_of(bc.shape, bc.rank);
  if (n <= 0) return cudaSuccess;
  if (i64)
    binary_int_kernel<<<grid_for(n), kThreads, 0, stream>>>(op, static_cast<const int64_t*>(a),
                                                            static_cast<const int64_t*>(b), static_cast<int64_t*>(y), bc, n);
  else
    binary_int_kernel<<<grid_for(n), kThreads, 0, stream>>>(op, static_cast<const int32_t*>(a),
                                                            static_cast<const int32_t*>(b), static_cast<int32_t*>(y), bc, n);
  return cudaGetLastError();
}

}  // namespace foley::kernels
