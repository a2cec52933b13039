// linear and matmul on cuBLASLt (see ops.h).
#include <algorithm>

#include "tensor/broadcast.h"
#include "tensor/cuda/gemm.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {

using detail::fail;

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const char* op = "linear";
  const Device device = detail::require_cuda(op, {&x, &weight, &bias});
  if (x.dim() < 1 || weight.dim() != 2 || x.size(-1) != weight.size(1))
    fail(op, "input " + x.to_string() + " does not match weight " + weight.to_string());
  const int64_t in = weight.size(1), out = weight.size(0);
  detail::require_numel(op, "bias", bias, out);
  const DType mt = matmul_dtype();
  const Tensor a = to_dtype(x, mt), w = to_dtype(weight, mt);
  Shape out_shape = x.shape();
  out_shape.back() = out;
  const int64_t rows = in == 0 ? shape_numel(out_shape) / std::max<int64_t>(out, 1) : x.numel() / in;
  if (in == 0 || rows == 0 || out == 0) {  // an empty sum: the bias (or zeros) in every row
    Tensor y = zeros(out_shape, DType::kF32, device);
    if (bias.defined() && rows > 0 && out > 0)
      detail::launch(kernels::add_bias_residual_f32(f32_mut(y), f32_ptr(detail::f32(bias)), nullptr, rows, out,
                                                    current_stream()),
                     op);
    return y;
  }
  Tensor y = empty(out_shape, DType::kF32, device);
  GemmArgs g;
  g.a = device_ptr(a);
  g.b = device_ptr(w);
  g.c = f32_mut(y);
  g.elem = elem_of(mt);
  g.m = rows;
  g.n = out;
  g.k = in;
  g.lda = in;
  g.ldb = in;
  g.ldc = out;
  g.transpose_b = true;
  gemm(g, current_stream());
  if (bias.defined()) {
    const Tensor b32 = detail::f32(bias);
    detail::launch(kernels::add_bias_residual_f32(f32_mut(y), f32_ptr(b32), nullptr, rows, out, current_stream()),
                   op);
  }
  return y;
}

Tensor matmul(const Tensor& a_in, const Tensor& b_in, bool transpose_b) {
  const char* op = "matmul";
  const Device device = detail::require_cuda(op, {&a_in, &b_in});
  if (a_in.dim() < 2 || b_in.dim() < 2) fail(op, "needs 2-D or higher operands, got " + a_in.to_string() + " and " + b_in.to_string());
  const int64_t m = a_in.size(-2), k = a_in.size(-1);
  const int64_t kb = transpose_b ? b_in.size(-1) : b_in.size(-2);
  const int64_t n = transpose_b ? b_in.size(-2) : b_in.size(-1);
  if (k != kb) fail(op, "inner dims differ: " + a_in.to_string() + " and " + b_in.to_string());
  // Batch dims broadcast numpy-style, like the CPU. An operand whose batch is the full broadcast batch (or
  // a single matrix) is read in place with a batch stride (0 = the same matrix each time); any other
  // broadcast is materialised first.
  const Shape a_batch(a_in.shape().begin(), a_in.shape().end() - 2);
  const Shape b_batch(b_in.shape().begin(), b_in.shape().end() - 2);
  const Shape batch_shape = broadcast_shapes("matmul (batch dims)", a_batch, b_batch);
  const int64_t full = shape_numel(batch_shape);
  auto batched = [&](const Tensor& t, const Shape& t_batch) {
    const int64_t count = shape_numel(t_batch);
    if (count == full || count == 1) return t;
    Shape expanded = batch_shape;
    expanded.push_back(t.size(-2));
    expanded.push_back(t.size(-1));
    return gather_strided(t, 0, expanded, broadcast_strides(t.shape(), expanded));
  };
  const Tensor a_full = batched(a_in, a_batch), b_full = batched(b_in, b_batch);
  const bool a_shared = a_full.numel() == m * k && full > 1, b_shared = b_full.numel() == kb * n && full > 1;
  const int64_t batch = shape_numel(batch_shape);
  const DType mt = matmul_dtype();
  const Tensor a = to_dtype(a_full, mt), b = to_dtype(b_full, mt);
  Shape out_shape = batch_shape;
  out_shape.push_back(m);
  out_shape.push_back(n);
  if (m == 0 || n == 0 || k == 0 || batch == 0) return zeros(out_shape, DType::kF32, device);
  Tensor y = empty(out_shape, DType::kF32, device);
  GemmArgs g;
  g.a = device_ptr(a);
  g.b = device_ptr(b);
  g.c = f32_mut(y);
  g.elem = elem_of(mt);
  g.m = m;
  g.n = n;
  g.k = k;
  g.lda = k;
  g.ldb = transpose_b ? k : n;
  g.ldc = n;
  g.transpose_b = transpose_b;
  g.batch = batch;
  g.stride_a = a_shared ? 0 : m * k;
  g.stride_b = b_shared ? 0 : k * n;
  g.stride_c = m * n;
  gemm(g, current_stream());
  return y;
}

}  // namespace foley::tensor::cuda
