#pragma once

// The CUDA backend: the entries of tensor/backend.h (contracts in
// tensor/ops.h), filled into cuda_backend() by backend_cuda.cc, plus the
// fused kernels those entries are built from. Every function:
// - requires its tensor arguments on one CUDA device (throws foley::Error);
// - accepts f32, bf16 or f16 inputs and returns f32 (like the CPU ops);
// - queues work on cuda::current_stream() and does not wait for it.
// GEMM-based ops (linear, matmul, conv2d) and the tensor-core attention round
// their operands to the matmul dtype (bf16 by default) and accumulate in f32.

#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cuda {

// --- memory, layout and indexing (ops_shape.cc; allocate in runtime.h) -------------------
Tensor upload(const Tensor& host, Device device);
Tensor download(const Tensor& t);
Tensor convert(const Tensor& t, DType dtype);
Tensor gather_strided(const Tensor& src, int64_t offset, const Shape& shape, const std::vector<int64_t>& strides);
Tensor fill(const Shape& shape, double value, DType dtype, Device device);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value);

// --- reductions (ops_reduce.cc) ---------------------------------------------------------
Tensor sum(const Tensor& x, int64_t dim, bool keepdim);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim);
Tensor cumsum(const Tensor& x, int64_t dim);
Tensor l2_normalize(const Tensor& x, int64_t dim, double eps);

// --- GEMM-based (ops_gemm.cc, ops_conv.cc) ----------------------------------------
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});
// Batch dims: equal, or either side without batch dims / all ones (broadcast).
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_b = false);
// conv2d as (fused upsample +) im2col into the matmul dtype, then cuBLASLt. groups must be 1.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dOptions& options = {});
// Fused: conv2d(upsample_nearest2d(x, out_h, out_w), weight, bias): the VAE/UNet
// upsampler without materialising the upsampled activation.
Tensor upsample_conv2d(const Tensor& x, int64_t out_h, int64_t out_w, const Tensor& weight, const Tensor& bias,
                       const Conv2dOptions& options);
// Direct kernels (HiFi-GAN family).
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv1dOptions& options = {});
// The input activation and first residual fused into the direct kernel, the rest elementwise.
Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                    const Conv1dFusion& fusion);
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                        const ConvTranspose1dOptions& options = {});
// Fused HiFi-GAN steps: conv1d(leaky_relu(x, slope)) (+ residual), and
// tanh(conv1d(leaky_relu(x, slope))) for conv_post when `tanh_output`.
Tensor leaky_conv1d(const Tensor& x, double slope, const Tensor& weight, const Tensor& bias,
                    const Conv1dOptions& options, const Tensor& residual = {}, bool tanh_output = false);
// conv_transpose1d(leaky_relu(x, slope)): the upsampling stage's input activation fused.
Tensor leaky_conv_transpose1d(const Tensor& x, double slope, const Tensor& weight, const Tensor& bias,
                              const ConvTranspose1dOptions& options);

// --- normalisation (ops_norm.cc) ----------------------------------------------------
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
// silu(group_norm(...)) in one kernel.
Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);
Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps);

// --- attention (ops_attention.cc) ---------------------------------------------------
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options = {});
// Token-major q/k/v: heads split by permutes on the device, then attention().
Tensor attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads,
                       const AttentionOptions& options);
// Same, forcing the memory-efficient (f32, no tensor core) path; tests use it.
Tensor attention_generic(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options = {});
Tensor softmax(const Tensor& x, int64_t dim = -1);

// --- elementwise (ops_elementwise.cc) -----------------------------------------------
Tensor gelu(const Tensor& x, GeluApproximation approximation = GeluApproximation::kNone);
Tensor silu(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor geglu(const Tensor& x);
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, double s);
Tensor add_scalar(const Tensor& x, double s);
// (a + b + c) / 3 for equal shapes (HiFi-GAN's resblock mean).
Tensor mean3(const Tensor& a, const Tensor& b, const Tensor& c);
// diffusers get_timestep_embedding(timesteps [N], dim, flip_sin_to_cos,
// downscale_freq_shift, scale, max_period) -> [N, dim].
Tensor timestep_embedding(const Tensor& timesteps, int64_t dim, bool flip_sin_to_cos, double downscale_freq_shift,
                          double scale = 1.0, double max_period = 10000.0);
Tensor upsample_nearest2d(const Tensor& x, int64_t out_h, int64_t out_w);
// Reorders dims like Tensor::permute (a copy on the device).
Tensor permute(const Tensor& x, const std::vector<int64_t>& perm);

}  // namespace foley::tensor::cuda
