#pragma once

// Elementwise CUDA kernels: activations, broadcast arithmetic, GEGLU, fused
// bias/residual adds, dtype conversions, row softmax and nearest upsampling.
// All pointers are device pointers; every launch returns the launch's
// cudaError_t (cudaSuccess when queued).

#include <cuda_runtime_api.h>

#include <cstdint>

namespace foley::kernels {

// Storage formats a kernel may read or write.
enum class Elem : int { kF32 = 0, kF16 = 1, kBF16 = 2 };

// y = f(x) for n f32 elements; `param` is the slope (kLeakyRelu), factor
// (kScale) or addend (kAddScalar) and is ignored otherwise.
enum class Unary : int {
  kGelu, kGeluTanh, kSilu, kRelu, kLeakyRelu, kTanh, kSigmoid, kExp, kSqrt, kScale, kAddScalar
};
cudaError_t unary_f32(Unary op, const float* x, float* y, int64_t n, float param, cudaStream_t stream);

// y = a (op) b with numpy broadcasting, described by the output shape and the
// element strides of a and b per output dim (0 where broadcast). rank <= 8.
enum class Binary : int { kAdd, kSub, kMul, kDiv };
struct Broadcast {
  static constexpr int kMaxRank = 8;
  int rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t a_stride[kMaxRank] = {};
  int64_t b_stride[kMaxRank] = {};
};
cudaError_t binary_f32(Binary op, const float* a, const float* b, float* y, const Broadcast& bc,
                       cudaStream_t stream);

// x [rows, 2f] -> y [rows, f] = x[:, :f] * gelu_exact(x[:, f:]) (diffusers GEGLU).
cudaError_t geglu_f32(const float* x, float* y, int64_t rows, int64_t f, cudaStream_t stream);

// In place y[r, c] += bias[c] (+ residual[r, c] when residual is not null):
// the epilogue of a GEMM whose bias was not fused.
cudaError_t add_bias_residual_f32(float* y, const float* bias, const float* residual, int64_t rows, int64_t cols,
                                  cudaStream_t stream);

// In place y[n, c, i] += bias[c] for y [outer, channels, inner] (conv bias).
cudaError_t add_channel_bias_f32(float* y, const float* bias, int64_t outer, int64_t channels, int64_t inner,
                                 cudaStream_t stream);

// Converts n elements between storage formats (round to nearest even).
cudaError_t convert(const void* x, Elem from, void* y, Elem to, int64_t n, cudaStream_t stream);

// Numerically stable softmax over each row of x [rows, cols].
cudaError_t softmax_rows_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream);

// Nearest resize x [planes, in_h, in_w] -> y [planes, out_h, out_w], src = floor(dst * in / out).
cudaError_t upsample_nearest2d_f32(const float* x, float* y, int64_t planes, int64_t in_h, int64_t in_w,
                                   int64_t out_h, int64_t out_w, cudaStream_t stream);

// cudaSuccess when this binary holds kernels the current device can run;
// cudaErrorNoKernelImageForDevice (or similar) when its arch is not compiled in.
cudaError_t probe_kernel_image();

}  // namespace foley::kernels
