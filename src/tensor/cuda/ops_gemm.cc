// linear and matmul on cuBLASLt (see ops.h).
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
  Tensor y = empty(out_shape, DType::kF32, device);
  const int64_t rows = in == 0 ? x.numel() : x.numel() / in;
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
  const Shape a_batch(a_in.shape().begin(), a_in.shape().end() - 2);
  const Shape b_batch(b_in.shape().begin(), b_in.shape().end() - 2);
  const int64_t na = shape_numel(a_batch), nb = shape_numel(b_batch);
  Shape batch_shape;
  if (a_batch == b_batch || nb == 1) batch_shape = a_batch;
  else if (na == 1) batch_shape = b_batch;
  else fail(op, "batch broadcast between " + a_in.to_string() + " and " + b_in.to_string() + " is not supported on CUDA");
  if (nb == 1 && na == 1 && a_batch.size() < b_batch.size()) batch_shape = b_batch;
  const int64_t batch = shape_numel(batch_shape);
  const DType mt = matmul_dtype();
  const Tensor a = to_dtype(a_in, mt), b = to_dtype(b_in, mt);
  Shape out_shape = batch_shape;
  out_shape.push_back(m);
  out_shape.push_back(n);
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
  g.stride_a = na == 1 ? 0 : m * k;
  g.stride_b = nb == 1 ? 0 : k * n;
  g.stride_c = m * n;
  gemm(g, current_stream());
  return y;
}

}  // namespace foley::tensor::cuda
