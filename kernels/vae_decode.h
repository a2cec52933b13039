#pragma once

// VAE decoder helpers: the im2col step of a 2-D convolution with the
// preceding nearest-neighbour upsample fused into its input reads, writing
// the column matrix directly in the GEMM's 16-bit input format. The upsampled
// activation (4x the input) is never materialised.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/elementwise.h"

namespace foley::kernels {

struct Im2colParams {
  const float* x = nullptr;  // one image [channels, in_h, in_w]
  void* col = nullptr;       // [channels*kh*kw, cols] row-major, element type col_elem
  Elem col_elem = Elem::kBF16;
  int64_t channels = 0, in_h = 0, in_w = 0;
  // Size of the conv's input after nearest resize (src = floor(dst * in / virt));
  // equal to in_h/in_w for a plain convolution.
  int64_t virt_h = 0, virt_w = 0;
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1;
  int64_t out_h = 0, out_w = 0;
  // Output pixels [col0, col0 + cols) of out_h*out_w (chunking bounds the buffer).
  int64_t col0 = 0, cols = 0;
};
cudaError_t im2col_upsample(const Im2colParams& p, cudaStream_t stream);

}  // namespace foley::kernels
