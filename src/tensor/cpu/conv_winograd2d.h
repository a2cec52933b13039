#pragma once

// 2-D Winograd convolution F(4x4, 3x3) for 3x3, stride-1, ungrouped conv2d
// where oneDNN has none: oneDNN 2.6 implements Winograd only for AVX-512, so
// on AVX2 (and below) its direct convolution did 4x the multiplies of this
// path on the VAE's and the UNet's 3x3 layers. On AVX-512, oneDNN's own is
// the faster one except on small planes (kWinograd2dMaxImageTilesAvx512).
//
// Output tiles of 4x4 read 6x6 input patches (on planes 2 wide, tiles of 4x2
// read 6x4 patches: F(2, 3) along the columns, 24 points, where 4x4 tiles
// would compute 2 columns for nothing); per transform point (36) the
// work is one GEMM (C_out x C_in times C_in x tiles) through sgemm, the
// tiles of every image of the batch side by side, in bands of tile rows to
// bound the buffers. Each channel's 6x6 patches are gathered into 36 rows
// (one per patch position, the band's tiles along each), so both separable
// passes (BT along the patch rows, then its columns; AT likewise on the way
// out) are contiguous 16-lane loops. Points 0, +-1, +-2 and infinity (Lavin
// and Gray); transformed weights are cached per weight storage.
//
// Not bit-identical to direct convolution: the transforms round differently
// (tests/tensor/conv_winograd2d_test.cc states the measured error).

#include <cstdint>

#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// Whether conv2d of this shape goes through winograd_conv2d: FOLEY_CONV=auto,
// FOLEY_CONV_WINOGRAD not 0, a 3x3 kernel, stride 1, dilation 1, groups 1,
// both channel counts >= winograd2d_min_channels(), an output at least 4 high
// and 2 or at least 4 wide, at least winograd2d_min_tiles() output tiles over
// the batch of n, and on AVX-512 at most kWinograd2dMaxImageTilesAvx512 per
// image.
bool winograd2d_wanted(int64_t c_in, int64_t c_out, int64_t kh, int64_t kw, int64_t stride_h, int64_t stride_w,
                       int64_t dil_h, int64_t dil_w, int64_t groups, int64_t n, int64_t oh, int64_t ow);

// Default of winograd2d_min_channels(): below it the per-point GEMMs are too
// thin to pay for the transforms.
inline constexpr int64_t kWinograd2dMinChannels = 32;
// Smallest C_in and C_out that take the path. Tests lower it to run the tiny
// models' goldens through it.
int64_t winograd2d_min_channels();
void set_winograd2d_min_channels(int64_t channels);

// Default of winograd2d_min_tiles(): with fewer tiles the 36 per-point GEMMs
// are too narrow (N = tiles) to beat oneDNN's direct convolution. Measured
// (AVX2, 2 threads, best of 20, direct against Winograd): 640 channels at 8x4
// (2 tiles) 1.6 ms against 2.3, 384 channels at 16x4 (4 tiles) 1.2 against
// 1.0, 128 channels at 32x4 (8 tiles) 0.37 against 0.25, the UNet's guided
// 384 channels at 64x4 (32 tiles) 9.5 against 3.8.
inline constexpr int64_t kWinograd2dMinTiles = 8;
// On AVX-512, oneDNN's Winograd runs planes of more 4x4 output tiles per image
// than this; ours runs smaller ones. Measured (2 threads, best of 20, oneDNN
// against ours): 384 channels at 64x4, guided batch (16 tiles per image) 5.4
// ms against 2.5; 640 at 32x8, guided (16) 13.8 against 4.8; 128 at 32x8 (16)
// 0.56 against 0.24; 640 at 64x8 (32) 4.6 against 5.7; 384 at 64x8, guided
// (32) 2.9 against 4.1; 256 at 128x8 (64) 1.5 against 2.4.
inline constexpr int64_t kWinograd2dMaxImageTilesAvx512 = 16;
// Smallest number of output tiles in the batch that takes the path; tests lower it.
int64_t winograd2d_min_tiles();
void set_winograd2d_min_tiles(int64_t tiles);

// out [N, C_out, OH, OW] = conv2d of x [N, C_in, H, W] (f32) with `weight`
// [C_out, C_in, 3, 3] (f32: weight_in itself or its f32 copy) and `bias`
// (f32 [C_out] or undefined), stride 1, zero padding pad_h / pad_w on either
// side. The transformed weights are cached per storage of weight_in.
void winograd_conv2d(const Tensor& x, const Tensor& weight_in, const Tensor& weight, const Tensor& bias,
                     int64_t pad_h, int64_t pad_w, Tensor& out);

// Transformed weight tensors currently cached (tests observe reuse with it).
int64_t winograd2d_cached_weights();
// Drops the cached transformed weights.
void clear_winograd2d_cache();

}  // namespace foley::tensor::cpu
