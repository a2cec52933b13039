#pragma once

// Device helpers shared by the kernel families (not a public header).

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/elementwise.h"

namespace foley::kernels::detail {

constexpr int kThreads = 256;

// Blocks for a 1-D grid-stride loop over n elements (capped; the loop covers the rest).
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

// Element offsets into a and b of output element i under broadcast `bc`.
__device__ __forceinline__ void broadcast_offsets(const Broadcast& bc, int64_t i, int64_t& ia, int64_t& ib) {
  int64_t rest = i;
  ia = 0;
  ib = 0;
  for (int d = bc.rank - 1; d >= 0; --d) {
    const int64_t coord = rest % bc.shape[d];
    rest /= bc.shape[d];
    ia += coord * bc.a_stride[d];
    ib += coord * bc.b_stride[d];
  }
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, <= 1024); every
// thread gets the result. `scratch` must hold 32 floats. The reduction order
// is fixed, so results are bitwise reproducible run to run.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  const int warps = blockDim.x >> 5;
  float total = lane < warps ? scratch[lane] : 0.0f;
  return warp_sum(total);
}

}  // namespace foley::kernels::detail
