// HiFi-GAN conv kernels (see hifigan.h). One thread per output sample; a
// block covers 256 consecutive samples of one (batch, channel) row, so every
// thread of a block reads the same weights (broadcast loads) and neighbouring
// inputs (coalesced).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/common.cuh"
#include "kernels/hifigan.h"

namespace foley::kernels {
namespace {

constexpr int kConvThreads = 256;

__device__ __forceinline__ float load_weight(const void* w, Elem e, int64_t i) {
  switch (e) {
    case Elem::kF16: return __half2float(static_cast<const __half*>(w)[i]);
    case Elem::kBF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(w)[i]);
    default: return static_cast<const float*>(w)[i];
  }
}

__device__ __forceinline__ float leaky(float v, float slope) { return v >= 0.0f ? v : v * slope; }

__global__ void __launch_bounds__(kConvThreads) conv1d_kernel(Conv1dParams p) {
  const int64_t t = blockIdx.x * int64_t(kConvThreads) + threadIdx.x;
  const int64_t row = blockIdx.y;  // b * c_out + co
  if (t >= p.l_out) return;
  const int64_t b = row / p.c_out, co = row % p.c_out;
  const int64_t cin_g = p.c_in / p.groups, cout_g = p.c_out / p.groups;
  const int64_t g = co / cout_g;
  float acc = 0.0f;
  const int64_t start = t * p.stride - p.padding;
  for (int64_t ci = 0; ci < cin_g; ++ci) {
    const float* xr = p.x + (b * p.c_in + g * cin_g + ci) * p.l_in;
    const int64_t wbase = (co * cin_g + ci) * p.k;
    for (int kk = 0; kk < p.k; ++kk) {
      const int64_t pos = start + int64_t(kk) * p.dilation;
      if (pos < 0 || pos >= p.l_in) continue;
      float xv = xr[pos];
      if (p.pre_leaky) xv = leaky(xv, p.leaky_slope);
      acc += xv * load_weight(p.weight, p.weight_elem, wbase + kk);
    }
  }
  if (p.bias) acc += p.bias[co];
  const int64_t out = row * p.l_out + t;
  if (p.residual) acc += p.residual[out];
  if (p.post_tanh) acc = tanhf(acc);
  p.y[out] = acc;
}

__global__ void __launch_bounds__(kConvThreads) conv_transpose1d_kernel(ConvTranspose1dParams p) {
  const int64_t t = blockIdx.x * int64_t(kConvThreads) + threadIdx.x;
  const int64_t row = blockIdx.y;  // b * c_out + co
  if (t >= p.l_out) return;
  const int64_t b = row / p.c_out, co = row % p.c_out;
  const int64_t cin_g = p.c_in / p.groups, cout_g = p.c_out / p.groups;
  const int64_t g = co / cout_g, co_local = co % cout_g;
  const int64_t shifted = t + p.padding;  // = q * stride + k * dilation for a contributing (q, k)
  // Polyphase: with dilation 1 only taps k = shifted mod stride (+ multiples of
  // stride) reach output t; otherwise test each tap.
  const int k_first = p.dilation == 1 ? static_cast<int>(shifted % p.stride) : 0;
  const int k_step = p.dilation == 1 ? p.stride : 1;
  float acc = 0.0f;
  for (int64_t ci = 0; ci < cin_g; ++ci) {
    const int64_t cin = g * cin_g + ci;
    const float* xr = p.x + (b * p.c_in + cin) * p.l_in;
    const int64_t wbase = (cin * cout_g + co_local) * p.k;
    for (int kk = k_first; kk < p.k; kk += k_step) {
      const int64_t num = shifted - int64_t(kk) * p.dilation;
      if (num < 0) break;  // larger taps only make it more negative
      if (num % p.stride != 0) continue;
      const int64_t q = num / p.stride;
      if (q >= p.l_in) continue;
      float xv = xr[q];
      if (p.pre_leaky) xv = leaky(xv, p.leaky_slope);
      acc += xv * load_weight(p.weight, p.weight_elem, wbase + kk);
    }
  }
  if (p.bias) acc += p.bias[co];
  p.y[row * p.l_out + t] = acc;
}

}  // namespace

cudaError_t conv1d_direct(const Conv1dParams& p, cudaStream_t stream) {
  if (p.n * p.c_out <= 0 || p.l_out <= 0) return cudaSuccess;
  if (p.n * p.c_out > 65535) return cudaErrorInvalidConfiguration;
  const dim3 grid(static_cast<unsigned>((p.l_out + kConvThreads - 1) / kConvThreads),
                  static_cast<unsigned>(p.n * p.c_out));
  conv1d_kernel<<<grid, kConvThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

cudaError_t conv_transpose1d_polyphase(const ConvTranspose1dParams& p, cudaStream_t stream) {
  if (p.n * p.c_out <= 0 || p.l_out <= 0) return cudaSuccess;
  if (p.n * p.c_out > 65535) return cudaErrorInvalidConfiguration;
  const dim3 grid(static_cast<unsigned>((p.l_out + kConvThreads - 1) / kConvThreads),
                  static_cast<unsigned>(p.n * p.c_out));
  conv_transpose1d_kernel<<<grid, kConvThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace foley::kernels
