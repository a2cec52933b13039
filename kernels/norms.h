#pragma once

// Normalisation kernels: GroupNorm (optionally fused with SiLU), LayerNorm and
// T5 RMSNorm. Statistics in f32 with a fixed reduction order (deterministic);
// two passes (mean, then centred variance) like the CPU reference. Affine
// weight/bias are f32 device pointers or null (1 / 0).

#include <cuda_runtime_api.h>

#include <cstdint>

namespace foley::kernels {

// x, y [n, channels, spatial]; groups divides channels. With `silu`, y =
// silu(group_norm(x)) in one pass over memory (the VAE/UNet ResNet pattern).
cudaError_t group_norm_f32(const float* x, const float* weight, const float* bias, float* y, int64_t n,
                           int64_t channels, int64_t spatial, int64_t groups, float eps, bool silu,
                           cudaStream_t stream);

// The same for a few large groups: each group cut into `splits` slices, one
// block per slice (the GPU filled); `partials` holds 2 * n * groups * (splits
// + 1) floats of device scratch. Results differ from group_norm_f32's only in the
// f32 summation order.
cudaError_t group_norm_split_f32(const float* x, const float* weight, const float* bias, float* y, int64_t n,
                                 int64_t channels, int64_t spatial, int64_t groups, float eps, bool silu, int splits,
                                 float* partials, cudaStream_t stream);

// LayerNorm over the last dim d of x [rows, d].
cudaError_t layer_norm_f32(const float* x, const float* weight, const float* bias, float* y, int64_t rows, int64_t d,
                           float eps, cudaStream_t stream);

// y = x * rsqrt(mean(x^2) + eps) * weight over the last dim d of x [rows, d].
cudaError_t rms_norm_f32(const float* x, const float* weight, float* y, int64_t rows, int64_t d, float eps,
                         cudaStream_t stream);

}  // namespace foley::kernels
