// linear and matmul on the CPU: straight to the GEMM library.
#include <algorithm>

#include "tensor/broadcast.h"
#include "tensor/cpu/common.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/linear_primitive.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {

Tensor linear(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in) {
  cpu::require_cpu("linear", {&x_in, &weight_in, &bias_in});
  cpu::require_float("linear", "input", x_in);
  cpu::require_float("linear", "weight", weight_in);
  if (weight_in.dim() != 2 || x_in.dim() < 1 || x_in.size(-1) != weight_in.size(1))
    cpu::fail("linear", "input " + x_in.to_string() + " does not match weight " + weight_in.to_string() +
                            " (expected [..., in] and [out, in])");
  const int64_t out_features = weight_in.size(0);
  if (bias_in.defined() && (bias_in.dim() != 1 || bias_in.size(0) != out_features))
    cpu::fail("linear", "bias " + bias_in.to_string() + " does not match " + std::to_string(out_features) + " outputs");
  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  const int64_t in_features = weight.size(1);
  const int64_t rows = in_features == 0 ? x.numel() : x.numel() / in_features;
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  Tensor out = Tensor::empty(out_shape);
  float* y = out.data<float>();
  if (rows > 0 && out_features > 0 && in_features > 0 && cpu::gemm_backend() == cpu::GemmBackend::kOneDnn) {
    cpu::linear_onednn(rows, x.data<float>(), weight_in, weight, bias.defined() ? bias.data<float>() : nullptr, y);
    return out;
  }
  float beta = 0.0f;
  if (bias.defined()) {
    const float* b = bias.data<float>();
    for (int64_t r = 0; r < rows; ++r) std::copy(b, b + out_features, y + r * out_features);
    beta = 1.0f;
  }
  cpu::sgemm(false, true, rows, out_features, in_features, 1.0f, x.data<float>(), in_features, weight.data<float>(),
             in_features, beta, y, out_features);
  return out;
}

Tensor matmul(const Tensor& a_in, const Tensor& b_in, bool transpose_b) {
  cpu::require_cpu("matmul", {&a_in, &b_in});
  cpu::require_float("matmul", "a", a_in);
  cpu::require_float("matmul", "b", b_in);
  if (a_in.dim() < 2 || b_in.dim() < 2) cpu::fail("matmul", "needs at least 2-D operands, got " + a_in.to_string() + " and " + b_in.to_string());
  const int64_t m = a_in.size(-2), k = a_in.size(-1);
  const int64_t kb = transpose_b ? b_in.size(-1) : b_in.size(-2);
  const int64_t n = transpose_b ? b_in.size(-2) : b_in.size(-1);
  if (k != kb)
    cpu::fail("matmul", "inner dims differ: " + a_in.to_string() + " @ " + b_in.to_string() +
                            (transpose_b ? "^T" : ""));
  // Broadcast the batch dims.
  const Shape a_batch(a_in.shape().begin(), a_in.shape().end() - 2);
  const Shape b_batch(b_in.shape().begin(), b_in.shape().end() - 2);
  const Shape batch = broadcast_shapes("matmul (batch dims)", a_batch, b_batch);
  const size_t nb = batch.size();
  const Tensor a = cpu::as_f32(a_in), b = cpu::as_f32(b_in);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = Tensor::empty(out_shape);
  const int64_t batches = shape_numel(batch);
  // Strides (in matrices) of each operand per batch dim; 0 where broadcast.
  const std::vector<int64_t> a_stride = broadcast_strides(a_batch, batch), b_stride = broadcast_strides(b_batch, batch);
  const int64_t sa = shape_numel(a_batch), sb = shape_numel(b_batch);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* pc = out.data<float>();
  // One b shared by every batch of a: a single GEMM over all rows of a.
  if (sb == 1 && sa == batches) {
    cpu::sgemm(false, transpose_b, batches * m, n, k, 1.0f, pa, k, pb, transpose_b ? k : n, 0.0f, pc, n);
    return out;
  }
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t rem = bi, ia = 0, ib = 0;
    for (size_t i = nb; i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      ia += idx * a_stride[i];
      ib += idx * b_stride[i];
    }
    cpu::sgemm(false, transpose_b, m, n, k, 1.0f, pa + ia * m * k, k, pb + ib * k * n, transpose_b ? k : n, 0.0f,
               pc + bi * m * n, n);
  }
  return out;
}

}  // namespace foley::tensor::cpu
