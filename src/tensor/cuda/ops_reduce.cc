// Reductions along one dim on CUDA: sum, mean, cumsum, l2_normalize (see ops.h).
#include "kernels/reduce.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

struct Split {
  int64_t outer = 1, size = 1, inner = 1;
};

Split split_at(const Tensor& x, int64_t d) {
  Split s;
  for (int64_t i = 0; i < d; ++i) s.outer *= x.size(i);
  s.size = x.size(d);
  for (int64_t i = d + 1; i < x.dim(); ++i) s.inner *= x.size(i);
  return s;
}

Tensor reduce_sum(const char* op, const Tensor& x_in, int64_t dim, bool keepdim, bool average) {
  const Device device = detail::require_cuda(op, {&x_in});
  const int64_t d = x_in.wrap_dim(dim);
  const Tensor x = detail::f32(x_in);
  const Split s = split_at(x, d);
  Shape out_shape = x.shape();
  if (keepdim) out_shape[static_cast<size_t>(d)] = 1;
  else out_shape.erase(out_shape.begin() + d);
  Tensor out = empty(out_shape, DType::kF32, device);
  const double scale = average ? 1.0 / static_cast<double>(s.size) : 1.0;
  detail::launch(kernels::sum_dim_f32(f32_ptr(x), f32_mut(out), s.outer, s.size, s.inner, scale, current_stream()), op);
  return out;
}

}  // namespace

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) { return reduce_sum("sum", x, dim, keepdim, false); }
Tensor mean(const Tensor& x, int64_t dim, bool keepdim) { return reduce_sum("mean", x, dim, keepdim, true); }

Tensor cumsum(const Tensor& x_in, int64_t dim) {
  const char* op = "cumsum";
  if (!x_in.defined()) fail(op, "undefined input");
  const Device device = detail::require_device(op, {&x_in});
  const int64_t d = x_in.wrap_dim(dim);
  const Split s = split_at(x_in, d);
  if (!is_floating(x_in.dtype())) {
    const Tensor x = to_dtype(x_in, DType::kI64);
    Tensor out = empty(x.shape(), DType::kI64, device);
    detail::launch(kernels::cumsum_dim_i64(static_cast<const int64_t*>(device_ptr(x)),
                                           static_cast<int64_t*>(device_ptr(out)), s.outer, s.size, s.inner,
                                           current_stream()),
                   op);
    return out;
  }
  const Tensor x = detail::f32(x_in);
  Tensor out = empty(x.shape(), DType::kF32, device);
  detail::launch(kernels::cumsum_dim_f32(f32_ptr(x), f32_mut(out), s.outer, s.size, s.inner, current_stream()), op);
  return out;
}

Tensor l2_normalize(const Tensor& x_in, int64_t dim, double eps) {
  const char* op = "l2_normalize";
  const Device device = detail::require_cuda(op, {&x_in});
  const int64_t d = x_in.wrap_dim(dim);
  const Tensor x = detail::f32(x_in);
  const Split s = split_at(x, d);
  Tensor out = empty(x.shape(), DType::kF32, device);
  detail::launch(kernels::l2_normalize_dim_f32(f32_ptr(x), f32_mut(out), s.outer, s.size, s.inner, eps,
                                               current_stream()),
                 op);
  return out;
}

}  // namespace foley::tensor::cuda
