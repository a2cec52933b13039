// Normalisation kernels (see norms.h): one block per group / row.
#include "kernels/common.cuh"
#include "kernels/norms.h"

namespace foley::kernels {
namespace {

constexpr int kNormThreads = 256;

__global__ void group_norm_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                  const float* __restrict__ bias, float* __restrict__ y, int64_t channels,
                                  int64_t spatial, int64_t groups, float eps, bool silu) {
  __shared__ float scratch[32];
  const int64_t ng = blockIdx.x;  // n * groups + g
  const int64_t cg = channels / groups;
  const int64_t count = cg * spatial;
  const float* src = x + ng * count;
  float* dst = y + ng * count;
  float s = 0.0f;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) s += src[i];
  const float mean = detail::block_sum(s, scratch) / static_cast<float>(count);
  float sq = 0.0f;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    const float d = src[i] - mean;
    sq += d * d;
  }
  const float inv = rsqrtf(detail::block_sum(sq, scratch) / static_cast<float>(count) + eps);
  const int64_t first_channel = (ng % groups) * cg;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    const int64_t c = first_channel + i / spatial;
    float v = (src[i] - mean) * inv;
    if (weight) v *= weight[c];
    if (bias) v += bias[c];
    if (silu) v = v / (1.0f + expf(-v));
    dst[i] = v;
  }
}

__global__ void layer_norm_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                  const float* __restrict__ bias, float* __restrict__ y, int64_t d, float eps) {
  __shared__ float scratch[32];
  const float* src = x + blockIdx.x * d;
  float* dst = y + blockIdx.x * d;
  float s = 0.0f;
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) s += src[i];
  const float mean = detail::block_sum(s, scratch) / static_cast<float>(d);
  float sq = 0.0f;
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
    const float t = src[i] - mean;
    sq += t * t;
  }
  const float inv = rsqrtf(detail::block_sum(sq, scratch) / static_cast<float>(d) + eps);
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
    float v = (src[i] - mean) * inv;
    if (weight) v *= weight[i];
    if (bias) v += bias[i];
    dst[i] = v;
  }
}

__global__ void rms_norm_kernel(const float* __restrict__ x, const float* __restrict__ weight, float* __restrict__ y,
                                int64_t d, float eps) {
  __shared__ float scratch[32];
  const float* src = x + blockIdx.x * d;
  float* dst = y + blockIdx.x * d;
  float sq = 0.0f;
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) sq += src[i] * src[i];
  const float inv = rsqrtf(detail::block_sum(sq, scratch) / static_cast<float>(d) + eps);
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) dst[i] = src[i] * inv * (weight ? weight[i] : 1.0f);
}

}  // namespace

cudaError_t group_norm_f32(const float* x, const float* weight, const float* bias, float* y, int64_t n,
                           int64_t channels, int64_t spatial, int64_t groups, float eps, bool silu,
                           cudaStream_t stream) {
  if (n * groups > 0)
    group_norm_kernel<<<static_cast<unsigned>(n * groups), kNormThreads, 0, stream>>>(x, weight, bias, y, channels,
                                                                                      spatial, groups, eps, silu);
  return cudaGetLastError();
}

cudaError_t layer_norm_f32(const float* x, const float* weight, const float* bias, float* y, int64_t rows, int64_t d,
                           float eps, cudaStream_t stream) {
  if (rows > 0 && d > 0)
    layer_norm_kernel<<<static_cast<unsigned>(rows), kNormThreads, 0, stream>>>(x, weight, bias, y, d, eps);
  return cudaGetLastError();
}

cudaError_t rms_norm_f32(const float* x, const float* weight, float* y, int64_t rows, int64_t d, float eps,
                         cudaStream_t stream) {
  if (rows > 0 && d > 0) rms_norm_kernel<<<static_cast<unsigned>(rows), kNormThreads, 0, stream>>>(x, weight, y, d, eps);
  return cudaGetLastError();
}

}  // namespace foley::kernels
