#pragma once

// Transposed 1-D convolution as one ordinary convolution (HiFi-GAN's
// upsampling layers: stride 2-5, kernels of 4-16 taps, 32-1024 channels).
//
// Output t of a stride-s transposed convolution takes taps r, r + s, r + 2s,
// ... of the kernel, r = (t + padding) mod s, against the inputs
// q, q - 1, q - 2, ..., q = (t + padding) div s. So the s phases r are s
// ordinary stride-1 convolutions of the same input with m = ceil(K / s) taps
// each; stacked as s * C_out output channels they are one conv1d (the 1-D
// Winograd path when wide enough: 2.67 multiplies per output and input channel
// instead of 4 for the 4-tap phases), and the phases are then interleaved
// into place with the bias. oneDNN's deconvolution ran these at ~75-165
// GFLOP/s on a Zen 3's two cores (docs/performance.md). The price is memory:
// the Winograd weights are 4x the kernel (8 points for each 3 of 4 taps).

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// The transposed convolution of x [N, C_in, L] (CPU, floating) with weight
// [C_in, C_out, K] and bias [C_out] or undefined, when it takes the phase
// path: FOLEY_CONV=auto, one group, dilation 1, stride >= 2, a kernel that is
// a multiple of the stride (phases of equal taps), and the stacked
// convolution wide and long enough for the 1-D Winograd path
// (winograd1d_wanted). An undefined tensor otherwise (the caller validates
// and computes it its own way). The stacked weights are cached per weight
// storage, like every transformed weight (conv.h clear_conv_cache drops them).
Tensor conv_transpose1d_by_phases_if_wanted(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                            const ConvTranspose1dOptions& options);

// Stacked weights currently cached (tests observe reuse with it), and clearing them.
int64_t conv_transpose_phase_cached_weights();
void clear_conv_transpose_phase_cache();

}  // namespace foley::tensor::cpu
