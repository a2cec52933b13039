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

// The split path for a few large groups (a batch-1 VAE decode has 32 groups of up to millions of elements): each
// group's elements are cut into `splits` slices, one block per (group, slice), so the whole GPU works on it. The
// partial sums are combined in slice order: deterministic.
__global__ void group_sum_kernel(const float* __restrict__ x, int64_t count, int splits, float* __restrict__ sums) {
  __shared__ float scratch[32];
  const int64_t ng = blockIdx.x, slice = blockIdx.y;
  const int64_t per = (count + splits - 1) / splits, begin = slice * per, end = min(count, begin + per);
  const float* src = x + ng * count;
  float s = 0.0f;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) s += src[i];
  s = detail::block_sum(s, scratch);
  if (threadIdx.x == 0) sums[ng * splits + slice] = s;
}

__global__ void group_centred_sq_kernel(const float* __restrict__ x, int64_t count, int splits,
                                        const float* __restrict__ sums, float* __restrict__ sqs) {
  __shared__ float scratch[32];
  const int64_t ng = blockIdx.x, slice = blockIdx.y;
  float total = 0.0f;
  for (int i = 0; i < splits; ++i) total += sums[ng * splits + i];
  const float mean = total / static_cast<float>(count);
  const int64_t per = (count + splits - 1) / splits, begin = slice * per, end = min(count, begin + per);
  const float* src = x + ng * count;
  float sq = 0.0f;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    const float d = src[i] - mean;
    sq += d * d;
  }
  sq = detail::block_sum(sq, scratch);
  if (threadIdx.x == 0) sqs[ng * splits + slice] = sq;
}

// stats[2 ng] = mean, stats[2 ng + 1] = 1 / std of each group, from the slices' partial sums in slice order.
__global__ void group_stats_kernel(int64_t ngroups, int64_t count, int splits, const float* __restrict__ sums,
                                   const float* __restrict__ sqs, float eps, float* __restrict__ stats) {
  const int64_t ng = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (ng >= ngroups) return;
  float s = 0.0f, sq = 0.0f;
  for (int k = 0; k < splits; ++k) {
    s += sums[ng * splits + k];
    sq += sqs[ng * splits + k];
  }
  stats[2 * ng] = s / static_cast<float>(count);
  stats[2 * ng + 1] = rsqrtf(sq / static_cast<float>(count) + eps);
}

__global__ void group_apply_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                   const float* __restrict__ bias, float* __restrict__ y, int64_t ngroups,
                                   int64_t channels, int64_t spatial, int64_t groups, const float* __restrict__ stats,
                                   bool silu) {
  const int64_t cg = channels / groups, count = cg * spatial, total = ngroups * count;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ng = i / count;
    const float mean = stats[2 * ng], inv = stats[2 * ng + 1];
    const int64_t c = (ng % groups) * cg + (i % count) / spatial;
    float v = (x[i] - mean) * inv;
    if (weight) v *= weight[c];
    if (bias) v += bias[c];
    if (silu) v = v / (1.0f + expf(-v));
    y[i] = v;
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

cudaError_t group_norm_split_f32(const float* x, const float* weight, const float* bias, float* y, int64_t n,
                                 int64_t channels, int64_t spatial, int64_t groups, float eps, bool silu, int splits,
                                 float* partials, cudaStream_t stream) {
  const int64_t ng = n * groups;
  if (ng <= 0) return cudaGetLastError();
  const int64_t count = channels / groups * spatial;
  float* sums = partials;
  float* sqs = partials + ng * splits;
  float* stats = partials + 2 * ng * splits;
  const dim3 grid(static_cast<unsigned>(ng), static_cast<unsigned>(splits));
  group_sum_kernel<<<grid, kNormThreads, 0, stream>>>(x, count, splits, sums);
  group_centred_sq_kernel<<<grid, kNormThreads, 0, stream>>>(x, count, splits, sums, sqs);
  group_stats_kernel<<<static_cast<unsigned>((ng + 255) / 256), 256, 0, stream>>>(ng, count, splits, sums, sqs, eps,
                                                                                   stats);
  group_apply_kernel<<<detail::grid_for(ng * count), detail::kThreads, 0, stream>>>(x, weight, bias, y, ng, channels,
                                                                                     spatial, groups, stats, silu);
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
