// Normalisations on CUDA (see ops.h).
#include <algorithm>

#include "kernels/norms.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

Tensor group_norm_impl(const char* op, const Tensor& x_in, int64_t groups, const Tensor& weight_in,
                       const Tensor& bias_in, double eps, bool silu) {
  const Device device = detail::require_cuda(op, {&x_in, &weight_in, &bias_in});
  if (x_in.dim() < 2) fail(op, "expected [N, C, *], got " + x_in.to_string());
  const int64_t n = x_in.size(0), c = x_in.size(1);
  if (groups < 1 || c % groups != 0)
    fail(op, std::to_string(c) + " channels cannot be split into " + std::to_string(groups) + " groups");
  detail::require_numel(op, "weight", weight_in, c);
  detail::require_numel(op, "bias", bias_in, c);
  const Tensor x = detail::f32(x_in), weight = detail::f32(weight_in), bias = detail::f32(bias_in);
  Tensor y = empty(x.shape(), DType::kF32, device);
  const int64_t spatial = n * c == 0 ? 0 : x.numel() / (n * c);
  const float* w = weight.defined() ? f32_ptr(weight) : nullptr;
  const float* b = bias.defined() ? f32_ptr(bias) : nullptr;
  // One block per group while there are enough groups to fill the GPU; otherwise (a batch-1 decoder's 32 large
  // groups) each group is cut into slices of about kSliceElements.
  constexpr int64_t kSliceElements = 16384;
  const int64_t count = c / groups * spatial;
  const int splits = static_cast<int>(std::clamp<int64_t>(count / kSliceElements, 1, 256));
  if (n * groups >= 256 || splits == 1) {
    detail::launch(kernels::group_norm_f32(f32_ptr(x), w, b, f32_mut(y), n, c, spatial, groups, static_cast<float>(eps),
                                           silu, current_stream()),
                   op);
    return y;
  }
  Tensor partials = empty({2 * n * groups * (splits + 1)}, DType::kF32, device);
  detail::launch(kernels::group_norm_split_f32(f32_ptr(x), w, b, f32_mut(y), n, c, spatial, groups,
                                               static_cast<float>(eps), silu, splits, f32_mut(partials),
                                               current_stream()),
                 op);
  return y;
}

}  // namespace

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  return group_norm_impl("group_norm", x, num_groups, weight, bias, eps, false);
}

Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  return group_norm_impl("group_norm_silu", x, num_groups, weight, bias, eps, true);
}

Tensor layer_norm(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, double eps) {
  const char* op = "layer_norm";
  const Device device = detail::require_cuda(op, {&x_in, &weight_in, &bias_in});
  if (x_in.dim() < 1) fail(op, "needs at least one dim");
  const int64_t d = x_in.size(-1);
  detail::require_numel(op, "weight", weight_in, d);
  detail::require_numel(op, "bias", bias_in, d);
  const Tensor x = detail::f32(x_in), weight = detail::f32(weight_in), bias = detail::f32(bias_in);
  Tensor y = empty(x.shape(), DType::kF32, device);
  detail::launch(kernels::layer_norm_f32(f32_ptr(x), weight.defined() ? f32_ptr(weight) : nullptr,
                                         bias.defined() ? f32_ptr(bias) : nullptr, f32_mut(y),
                                         d == 0 ? 0 : x.numel() / d, d, static_cast<float>(eps), current_stream()),
                 op);
  return y;
}

Tensor rms_norm(const Tensor& x_in, const Tensor& weight_in, double eps) {
  const char* op = "rms_norm";
  const Device device = detail::require_cuda(op, {&x_in, &weight_in});
  if (x_in.dim() < 1) fail(op, "needs at least one dim");
  const int64_t d = x_in.size(-1);
  detail::require_numel(op, "weight", weight_in, d);
  const Tensor x = detail::f32(x_in), weight = detail::f32(weight_in);
  Tensor y = empty(x.shape(), DType::kF32, device);
  detail::launch(kernels::rms_norm_f32(f32_ptr(x), weight.defined() ? f32_ptr(weight) : nullptr, f32_mut(y),
                                       d == 0 ? 0 : x.numel() / d, d, static_cast<float>(eps), current_stream()),
                 op);
  return y;
}

}  // namespace foley::tensor::cuda
