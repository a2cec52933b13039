// Fused nearest-upsample + im2col (see vae_decode.h).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/common.cuh"
#include "kernels/vae_decode.h"

namespace foley::kernels {
namespace {

// One thread per (row, column) of the column matrix; consecutive threads take
// consecutive output pixels, so reads along a row of x and writes along a row
// of col are both coalesced.
__global__ void im2col_kernel(Im2colParams p) {
  const int64_t rows = p.channels * p.kh * p.kw;
  const int64_t n = rows * p.cols;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / p.cols, local = i % p.cols;
    const int64_t pixel = p.col0 + local;
    const int64_t oy = pixel / p.out_w, ox = pixel % p.out_w;
    const int kx = static_cast<int>(r % p.kw), ky = static_cast<int>((r / p.kw) % p.kh);
    const int64_t c = r / (int64_t(p.kw) * p.kh);
    const int64_t vy = oy * p.stride_h - p.pad_h + int64_t(ky) * p.dil_h;
    const int64_t vx = ox * p.stride_w - p.pad_w + int64_t(kx) * p.dil_w;
    float v = 0.0f;
    if (vy >= 0 && vy < p.virt_h && vx >= 0 && vx < p.virt_w) {
      const int64_t sy = vy * p.in_h / p.virt_h, sx = vx * p.in_w / p.virt_w;
      v = p.x[(c * p.in_h + sy) * p.in_w + sx];
    }
    if (p.col_elem == Elem::kF16)
      static_cast<__half*>(p.col)[i] = __float2half_rn(v);
    else if (p.col_elem == Elem::kBF16)
      static_cast<__nv_bfloat16*>(p.col)[i] = __float2bfloat16_rn(v);
    else
      static_cast<float*>(p.col)[i] = v;
  }
}

}  // namespace

cudaError_t im2col_upsample(const Im2colParams& p, cudaStream_t stream) {
  const int64_t n = p.channels * p.kh * p.kw * p.cols;
  if (n > 0) im2col_kernel<<<detail::grid_for(n), detail::kThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace foley::kernels
