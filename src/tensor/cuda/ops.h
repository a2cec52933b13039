#pragma once

// CUDA implementations of the tensor ops (tensor/ops.h has the contracts;
// these follow them for tensors on a CUDA device) plus the fused ops the
// model code can call on CUDA. Every function:
// - requires its tensor arguments on one CUDA device (throws foley::Error);
// - accepts f32, bf16 or f16 inputs and returns f32 (like the CPU ops);
// - queues work on cuda::current_stream() and does not wait for it.
// GEMM-based ops (linear, matmul, conv2d) and the tensor-core attention round
// their operands to the matmul dtype (bf16 by default) and accumulate in f32.

#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cuda {

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
