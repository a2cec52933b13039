// tensor/ops.h: each op looks up the backend of its inputs' device (tensor/backend.h); the ops that are
// compositions of others are written here once, for every device.
#include "tensor/ops.h"

#include <string>

#include "common/error.h"
#include "tensor/backend.h"
#include "tensor/op_profile.h"

namespace foley::tensor {

Device device_of(const char* op, std::initializer_list<const Tensor*> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor* t : tensors) {
    if (!t->defined()) continue;
    if (!first) first = t;
    else if (t->device() != first->device())
      throw Error(std::string(op) + ": arguments on different devices (" + first->to_string() + ", " +
                  t->to_string() + ")");
  }
  if (!first) throw Error(std::string(op) + ": no tensor argument is defined");
  return first->device();
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const OpTimer timer("linear", {&x, &weight, &bias});
  return backend_for(device_of("linear", {&x, &weight, &bias})).linear(x, weight, bias);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_b) {
  const OpTimer timer("matmul", {&a, &b});
  return backend_for(device_of("matmul", {&a, &b})).matmul(a, b, transpose_b);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options) {
  const OpTimer timer("conv1d", {&x, &weight, &bias});
  return backend_for(device_of("conv1d", {&x, &weight, &bias})).conv1d(x, weight, bias, options);
}

Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options, const Conv1dFusion& fusion) {
  const OpTimer timer("conv1d_fused", {&x, &weight, &bias, &fusion.residual, &fusion.residual2});
  return backend_for(device_of("conv1d_fused", {&x, &weight, &bias, &fusion.residual, &fusion.residual2})).conv1d_fused(x, weight, bias, options, fusion);
}

Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTranspose1dOptions& options) {
  const OpTimer timer("conv_transpose1d", {&x, &weight, &bias});
  return backend_for(device_of("conv_transpose1d", {&x, &weight, &bias})).conv_transpose1d(x, weight, bias, options);
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  const OpTimer timer("conv2d", {&x, &weight, &bias});
  return backend_for(device_of("conv2d", {&x, &weight, &bias})).conv2d(x, weight, bias, options);
}

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const OpTimer timer("group_norm", {&x, &weight, &bias});
  return backend_for(device_of("group_norm", {&x, &weight, &bias})).group_norm(x, num_groups, weight, bias, eps);
}

Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const OpTimer timer("group_norm_silu", {&x, &weight, &bias});
  return backend_for(device_of("group_norm_silu", {&x, &weight, &bias})).group_norm_silu(x, num_groups, weight, bias, eps);
}

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  const OpTimer timer("layer_norm", {&x, &weight, &bias});
  return backend_for(device_of("layer_norm", {&x, &weight, &bias})).layer_norm(x, weight, bias, eps);
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps) {
  const OpTimer timer("rms_norm", {&x, &weight});
  return backend_for(device_of("rms_norm", {&x, &weight})).rms_norm(x, weight, eps);
}

Tensor l2_normalize(const Tensor& x, int64_t dim, double eps) {
  const OpTimer timer("l2_normalize", {&x});
  return backend_for(device_of("l2_normalize", {&x})).l2_normalize(x, dim, eps);
}

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) {
  const OpTimer timer("attention", {&q, &k, &v, &options.bias});
  return backend_for(device_of("attention", {&q, &k, &v, &options.bias})).attention(q, k, v, options);
}

Tensor attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads, const AttentionOptions& options) {
  const OpTimer timer("attention_heads", {&q, &k, &v, &options.bias});
  return backend_for(device_of("attention_heads", {&q, &k, &v, &options.bias})).attention_heads(q, k, v, heads, options);
}

Tensor softmax(const Tensor& x, int64_t dim) {
  const OpTimer timer("softmax", {&x});
  return backend_for(device_of("softmax", {&x})).softmax(x, dim);
}

Tensor gelu(const Tensor& x, GeluApproximation approximation) {
  const OpTimer timer("gelu", {&x});
  return backend_for(device_of("gelu", {&x})).gelu(x, approximation);
}

Tensor silu(const Tensor& x) {
  const OpTimer timer("silu", {&x});
  return backend_for(device_of("silu", {&x})).silu(x);
}

Tensor relu(const Tensor& x) {
  const OpTimer timer("relu", {&x});
  return backend_for(device_of("relu", {&x})).relu(x);
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  const OpTimer timer("leaky_relu", {&x});
  return backend_for(device_of("leaky_relu", {&x})).leaky_relu(x, negative_slope);
}

Tensor tanh(const Tensor& x) {
  const OpTimer timer("tanh", {&x});
  return backend_for(device_of("tanh", {&x})).tanh(x);
}

Tensor sigmoid(const Tensor& x) {
  const OpTimer timer("sigmoid", {&x});
  return backend_for(device_of("sigmoid", {&x})).sigmoid(x);
}

Tensor exp(const Tensor& x) {
  const OpTimer timer("exp", {&x});
  return backend_for(device_of("exp", {&x})).exp(x);
}

Tensor sqrt(const Tensor& x) {
  const OpTimer timer("sqrt", {&x});
  return backend_for(device_of("sqrt", {&x})).sqrt(x);
}

Tensor geglu(const Tensor& x) {
  const OpTimer timer("geglu", {&x});
  return backend_for(device_of("geglu", {&x})).geglu(x);
}

Tensor add(const Tensor& a, const Tensor& b) {
  const OpTimer timer("add", {&a, &b});
  return backend_for(device_of("add", {&a, &b})).add(a, b);
}

Tensor sub(const Tensor& a, const Tensor& b) {
  const OpTimer timer("sub", {&a, &b});
  return backend_for(device_of("sub", {&a, &b})).sub(a, b);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  const OpTimer timer("mul", {&a, &b});
  return backend_for(device_of("mul", {&a, &b})).mul(a, b);
}

Tensor div(const Tensor& a, const Tensor& b) {
  const OpTimer timer("div", {&a, &b});
  return backend_for(device_of("div", {&a, &b})).div(a, b);
}

Tensor scale(const Tensor& x, double s) {
  const OpTimer timer("scale", {&x});
  return backend_for(device_of("scale", {&x})).scale(x, s);
}

Tensor add_scalar(const Tensor& x, double s) {
  const OpTimer timer("add_scalar", {&x});
  return backend_for(device_of("add_scalar", {&x})).add_scalar(x, s);
}

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  const OpTimer timer("sum", {&x});
  return backend_for(device_of("sum", {&x})).sum(x, dim, keepdim);
}

Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  const OpTimer timer("mean", {&x});
  return backend_for(device_of("mean", {&x})).mean(x, dim, keepdim);
}

Tensor cumsum(const Tensor& x, int64_t dim) {
  const OpTimer timer("cumsum", {&x});
  return backend_for(device_of("cumsum", {&x})).cumsum(x, dim);
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("cat: no tensors");
  const OpTimer timer("cat", {&tensors.front()});
  Device device = tensors.front().device();
  for (const Tensor& t : tensors)
    if (t.defined() && t.device() != device)
      throw Error("cat: tensors on " + device.to_string() + " and " + t.device().to_string());
  return backend_for(device).cat(tensors, dim);
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const OpTimer timer("index_select", {&x, &index});
  return backend_for(device_of("index_select", {&x, &index})).index_select(x, dim, index);
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  const OpTimer timer("pad", {&x});
  return backend_for(device_of("pad", {&x})).pad(x, pads, value);
}

Tensor upsample_nearest2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  const OpTimer timer("upsample_nearest2d", {&x});
  return backend_for(device_of("upsample_nearest2d", {&x})).upsample_nearest2d(x, out_h, out_w);
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("stack: no tensors");
  std::vector<Tensor> expanded;
  for (const Tensor& t : tensors) {
    if (!t.defined() || t.shape() != tensors.front().shape())
      throw Error("stack: shapes differ: " + tensors.front().to_string() + " and " + t.to_string());
    expanded.push_back(t.unsqueeze(dim));
  }
  return cat(expanded, dim);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  const int64_t d = x.wrap_dim(dim);
  if (chunks < 1 || x.size(d) % chunks != 0)
    throw Error("chunk: dim " + std::to_string(dim) + " of " + x.to_string() + " does not split into " +
                std::to_string(chunks) + " equal parts");
  std::vector<Tensor> parts;
  const int64_t step = x.size(d) / chunks;
  for (int64_t i = 0; i < chunks; ++i) parts.push_back(x.narrow(d, i * step, step));
  return parts;
}

Tensor embedding(const Tensor& weight, const Tensor& ids) {
  if (!weight.defined() || weight.dim() != 2) throw Error("embedding: weight must be [V, D], got " + weight.to_string());
  if (!ids.defined()) throw Error("embedding: undefined ids");
  Shape out_shape = ids.shape();
  out_shape.push_back(weight.size(1));
  return index_select(weight, 0, ids.reshape({-1})).reshape(out_shape);
}

}  // namespace foley::tensor
