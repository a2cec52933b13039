#pragma once

// Reductions along one dim of x viewed as [outer, size, inner]: sums (and
// means), inclusive prefix sums, L2 normalisation. One thread per
// (outer, inner) pair walks the dim in order, accumulating in double like the
// CPU, so results match it and do not depend on the launch shape.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace foley::kernels {

// y [outer, inner] = sum over the dim (times `scale`: 1/size for a mean).
cudaError_t sum_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, double scale,
                        cudaStream_t stream);

// y [outer, size, inner] = running sum along the dim; f32 in and out, or i64
// in and out (i32 inputs are converted first).
cudaError_t cumsum_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, cudaStream_t stream);
cudaError_t cumsum_dim_i64(const int64_t* x, int64_t* y, int64_t outer, int64_t size, int64_t inner,
                           cudaStream_t stream);

// y = x / max(||x||_2, eps) along the dim.
cudaError_t l2_normalize_dim_f32(const float* x, float* y, int64_t outer, int64_t size, int64_t inner, double eps,
                                 cudaStream_t stream);

}  // namespace foley::kernels
