#pragma once

// The CPU backend: implementations of the entries of tensor/backend.h (their
// contracts are in tensor/ops.h), filled into cpu_backend() by backend_cpu.cc.

#include <memory>
#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

std::shared_ptr<Storage> allocate(size_t bytes, Device device);
Tensor convert(const Tensor& t, DType dtype);
Tensor gather_strided(const Tensor& src, int64_t offset, const Shape& shape, const std::vector<int64_t>& strides);
Tensor fill(const Shape& shape, double value, DType dtype, Device device);
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_b);
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options);
Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options, const Conv1dFusion& fusion);
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTranspose1dOptions& options);
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options);
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);
Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps);
Tensor l2_normalize(const Tensor& x, int64_t dim, double eps);
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);
Tensor attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads, const AttentionOptions& options);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor gelu(const Tensor& x, GeluApproximation approximation);
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
Tensor sum(const Tensor& x, int64_t dim, bool keepdim);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim);
Tensor cumsum(const Tensor& x, int64_t dim);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value);
Tensor upsample_nearest2d(const Tensor& x, int64_t out_h, int64_t out_w);

}  // namespace foley::tensor::cpu
