#pragma once

// The sizes and transform matrices of the 1-D Winograd convolution
// (conv_winograd1d.h), shared by its driver and its vector kernels.

namespace foley::tensor::cpu::winograd1d {

inline constexpr int kTile = 6;   // outputs per tile (m)
inline constexpr int kTaps = 3;   // kernel taps per chunk (r)
inline constexpr int kAlpha = 8;  // transform points: m + r - 1

// Toom-Cook matrices for correlation y[t] = sum_s w[s] d[t + s]:
//   y = AT [(G w) .* (BT d)].
struct Matrices {
  float bt[kAlpha][kAlpha];
  float g[kAlpha][kTaps];
  float at[kTile][kAlpha];
};

}  // namespace foley::tensor::cpu::winograd1d
