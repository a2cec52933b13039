// Transposed 1-D convolution's col2im (see conv1d.h). One thread per output
// sample, consecutive threads on consecutive samples (coalesced writes); the
// taps are summed in a fixed order, so results are deterministic.
#include "kernels/common.cuh"
#include "kernels/conv1d.h"

namespace foley::kernels {
namespace {

using detail::grid_for;
using detail::kThreads;

__global__ void col2im_1d_kernel(Col2im1dParams p) {
  const int64_t total = p.n * p.c_out * p.l_out;
  const int64_t row = p.c_out * p.k;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = i % p.l_out, co = (i / p.l_out) % p.c_out, b = i / (p.l_out * p.c_out);
    float acc = p.bias ? p.bias[co] : 0.0f;
    for (int j = 0; j < p.k; ++j) {
      const int64_t at = t + p.padding - int64_t(j) * p.dilation;  // = l * stride
      if (at < 0 || at % p.stride != 0) continue;
      const int64_t l = at / p.stride;
      if (l >= p.l_in) continue;
      acc += p.cols[(b * p.l_in + l) * row + co * p.k + j];
    }
    p.y[i] = acc;
  }
}

}  // namespace

cudaError_t col2im_1d(const Col2im1dParams& p, cudaStream_t stream) {
  const int64_t total = p.n * p.c_out * p.l_out;
  if (total > 0) col2im_1d_kernel<<<grid_for(total), kThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace foley::kernels
