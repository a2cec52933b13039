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
// Batch dims broadcast numpy-style, as on the CPU.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_b = false);
// conv2d as im2col into the matmul dtype, then cuBLASLt (groups one after another).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dOptions& options = {});
// conv1d as a height-1 conv2d.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv1dOptions& options = {});
// conv1d with the activations and residuals around it as elementwise passes.
Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                    const Conv1dFusion& fusion);
// One GEMM over every input sample, then col2im (kernels/conv1d.h).
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                        const ConvTranspose1dOptions& options = {});

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
Tensor upsample_nearest2d(const Tensor& x, int64_t out_h, int64_t out_w);
// Reorders dims like Tensor::permute (a copy on the device).
Tensor permute(const Tensor& x, const std::vector<int64_t>& perm);

}  // namespace foley::tensor::cuda
