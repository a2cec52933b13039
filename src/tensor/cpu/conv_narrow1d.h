#pragma once

// Direct 1-D convolution for narrow layers: stride 1, ungrouped, fewer output
// channels than winograd1d_min_channels() and at most four times that many
// inputs (the tiny HiFi-GAN's 1-16 channel layers, a full-size vocoder's
// 32 -> 1 conv_post). oneDNN's
// direct kernels block channels by 8 or 16 and leave such layers at a few
// GFLOP/s, on one thread (a single row of 1 channel gives them nothing to
// split); here every output is a vector of 16 positions, four output
// channels at a time, summed over input channels and taps in that order, and
// the work is split by channels and by spans of the time axis.
//
// The input activation is applied once, into a zero-padded copy of the
// input; bias, residuals, scale and output activation follow per span with
// the Winograd path's epilogue (conv_winograd1d.h), in the same order as the
// unfused composition.

#include <cstdint>

#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// One image's operands for the vector kernel: xp is [C_in] rows ld apart
// (the input activated and zero padded: L_out + (K - 1) dilation floats,
// then at least 16 more readable), w is [C_out][C_in][K], y / r1 / r2 are
// [C_out][L_out] (residuals null when absent).
struct NarrowConv1d {
  const float* xp;
  int64_t ld, c_in;
  const float* w;
  int64_t k, dilation;
  float* y;
  int64_t out_len;
  const float* r1;
  const float* r2;
  const Conv1dEpilogue* ep;
};

// Whether a conv1d of this shape goes the narrow way (FOLEY_CONV=auto, a
// vector ISA, stride 1, groups 1, not a Winograd shape, the channel counts
// above, output length >= 64).
bool narrow_conv1d_wanted(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t groups,
                          int64_t out_len);

// conv1d (with the epilogue) on the narrow path, or an undefined tensor when
// the shape or operands are not for it.
Tensor narrow_conv1d_if_wanted(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                               const Conv1dOptions& o, const Conv1dEpilogue& ep);

}  // namespace foley::tensor::cpu
