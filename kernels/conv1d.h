#pragma once

// The scatter half of a transposed 1-D convolution computed as a GEMM: the
// GEMM gives every input sample's contribution to every (output channel, tap),
// cols [n, l_in, c_out * k]; this kernel sums, for each output sample, the
// taps that reach it (output t gets tap j of input l when
// l * stride - padding + j * dilation == t) and adds the bias.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace foley::kernels {

struct Col2im1dParams {
  const float* cols = nullptr;  // [n, l_in, c_out * k]
  const float* bias = nullptr;  // [c_out] or null
  float* y = nullptr;           // [n, c_out, l_out]
  int64_t n = 0, c_out = 0, l_in = 0, l_out = 0;
  int k = 1, stride = 1, padding = 0, dilation = 1;
};
cudaError_t col2im_1d(const Col2im1dParams& p, cudaStream_t stream);

}  // namespace foley::kernels
