#pragma once

// 1-D Winograd convolution for stride-1, ungrouped conv1d with wide channel
// counts (the HiFi-GAN resblocks: kernels 3, 7, 11, dilations 1, 3, 5).
//
// The kernel is cut into chunks of 3 taps and every chunk is computed with
// Winograd F(6, 3) (points 0, 1, -1, 2, -2, 1/2, -1/2, inf): 8 multiplies per
// 6 outputs instead of 18. Output tiles are 6 outputs spaced by the
// dilation; input tiles start every 3 samples of the same phase, split by
// parity, so chunk j reads input tile a + j / 2 of parity j % 2 and one
// transformed input serves every chunk. Per transform point the work is then
// one GEMM per chunk (C_out x C_in times C_in x tiles). Multiplies fall by
// 2.25x (k = 3), 1.75x (k = 7, padded to 9 taps) and 2.06x (k = 11, padded
// to 12); F(3, 3) (5 per 3 outputs) gave 1.8x, 1.4x and 1.65x, and took 16 %
// longer on the full HiFi-GAN (docs/performance.md). Narrow rows (32 x 32
// channels) run in blocks of output tiles, one thread a block from gather to
// epilogue.
//
// Leaky ReLU on the input is folded into the input transform; bias, up to two
// residuals, a scale and a leaky ReLU on the output into the output transform,
// so the HiFi-GAN resblock needs no separate elementwise pass.
//
// Not bit-identical to direct convolution: the transforms round differently
// (tests/tensor/conv_winograd_test.cc states the measured error, a few times
// direct convolution's).

#include <cstdint>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// What the Winograd path folds around the convolution, per image:
//   out = out_act((((conv(in_act(x)) + bias) + residual) + residual2) * scale)
// where in_act / out_act are leaky_relu with the slope when has_*_slope.
struct Conv1dEpilogue {
  bool has_input_slope = false;
  float input_slope = 0.0f;
  const float* bias = nullptr;       // [C_out] or null
  const float* residual = nullptr;   // [N, C_out, L_out] or null
  const float* residual2 = nullptr;  // [N, C_out, L_out] or null
  bool has_scale = false;
  float scale = 1.0f;
  bool has_output_slope = false;
  float output_slope = 0.0f;
};

// Whether conv1d of this shape goes through winograd_conv1d (FOLEY_CONV=auto,
// FOLEY_CONV_WINOGRAD not 0, stride 1, groups 1, kernel >= 2, both channel
// counts >= winograd1d_min_channels(), output length >= 64).
bool winograd1d_wanted(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t groups,
                       int64_t out_len);

// The epilogue of `fusion` (tensor/ops.h), its residuals given as f32 tensors
// (fusion.residual / residual2 through as_f32, kept alive by the caller).
Conv1dEpilogue conv1d_epilogue(const Conv1dFusion& fusion, const Tensor& residual_f32, const Tensor& residual2_f32);

// y[l] = out_act((((y[l] + bias) + r1[l]) + r2[l]) * scale), l in [0, len): the
// epilogue of `ep` (its bias pointer aside) on one output row, in the order of
// the unfused composition; r1 / r2 may be null.
void apply_conv1d_epilogue(float* y, int64_t len, float bias, const float* r1, const float* r2,
                           const Conv1dEpilogue& ep);

// conv1d_fused's route into oneDNN's direct convolution for long rows
// (more than one 4096-output tile, conv_direct.cc): the input activation applied
// while each tile is gathered, the epilogue (bias aside, which the primitive
// adds) while it is copied out; results equal composing the ops. An
// undefined tensor when the shape does not take that path.
Tensor direct_conv1d_tiled_if_wanted(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                     const Conv1dOptions& options, const Conv1dEpilogue& epilogue);

// out [N, C_out, L_out] = the fused convolution of x [N, C_in, L] (f32) with
// `weight` [C_out, C_in, K] (f32: weight_in itself or its f32 copy), stride 1,
// zero padding `padding` on both sides, `dilation`. The transformed weights
// are cached per storage of weight_in like the oneDNN path's (conv.h
// clear_conv_cache drops them).
void winograd_conv1d(const Tensor& x, const Tensor& weight_in, const Tensor& weight, int64_t padding,
                     int64_t dilation, const Conv1dEpilogue& epilogue, Tensor& out);

// conv1d's route into winograd_conv1d: the result when x [N, C_in, L],
// weight [C_out, C_in, K] and bias (CPU, floating, shapes valid) take the
// Winograd path by winograd1d_wanted(); an undefined tensor when they do not
// (the caller then validates and computes them its own way). The residuals
// in `epilogue` must be f32 [N, C_out, L_out].
Tensor winograd_conv1d_if_wanted(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
                                 int64_t padding, int64_t dilation, int64_t groups, const Conv1dEpilogue& epilogue);

// Transformed weight tensors currently cached (tests observe reuse with it).
int64_t winograd1d_cached_weights();
// Drops the cached transformed weights.
void clear_winograd1d_cache();

}  // namespace foley::tensor::cpu
