// Elementwise ops, broadcasting arithmetic and layout copies on CUDA (see ops.h).
#include <algorithm>

#include "kernels/elementwise.h"
#include "kernels/indexing.h"
#include "tensor/broadcast.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

Tensor unary(const char* op, const Tensor& x_in, kernels::Unary kind, double param = 0.0) {
  const Device device = detail::require_device(op, {&x_in});
  const Tensor x = detail::f32(x_in);
  Tensor y = empty(x.shape(), DType::kF32, device);
  detail::launch(kernels::unary_f32(kind, f32_ptr(x), f32_mut(y), x.numel(), static_cast<float>(param),
                                    current_stream()),
                 op);
  return y;
}

Tensor binary(const char* op, const Tensor& a_in, const Tensor& b_in, kernels::Binary kind) {
  const Device device = detail::require_device(op, {&a_in, &b_in});
  if (!a_in.defined() || !b_in.defined()) fail(op, "both operands must be defined");
  const bool integers = !is_floating(a_in.dtype()) && a_in.dtype() == b_in.dtype();
  const Shape out = broadcast_shapes(op, a_in.shape(), b_in.shape());
  const size_t rank = out.size();
  if (rank > static_cast<size_t>(kernels::Broadcast::kMaxRank)) fail(op, "more than 8 dims");
  const std::vector<int64_t> a_strides = broadcast_strides(a_in.shape(), out),
                             b_strides = broadcast_strides(b_in.shape(), out);
  kernels::Broadcast bc;
  bc.rank = static_cast<int>(rank);
  for (size_t i = 0; i < rank; ++i) {
    bc.shape[i] = out[i];
    bc.a_stride[i] = a_strides[i];
    bc.b_stride[i] = b_strides[i];
  }
  if (integers) {
    if (kind == kernels::Binary::kDiv)
      for (int64_t v : b_in.to_vector_i64())
        if (v == 0) fail(op, "integer division by zero");
    Tensor y = empty(out, a_in.dtype(), device);
    detail::launch(kernels::binary_int(kind, device_ptr(a_in), device_ptr(b_in), device_ptr(y), bc,
                                       a_in.dtype() == DType::kI64, current_stream()),
                   op);
    return y;
  }
  const Tensor a = detail::f32(a_in), b = detail::f32(b_in);
  Tensor y = empty(out, DType::kF32, device);
  detail::launch(kernels::binary_f32(kind, f32_ptr(a), f32_ptr(b), f32_mut(y), bc, current_stream()), op);
  return y;
}

}  // namespace

Tensor gelu(const Tensor& x, GeluApproximation approximation) {
  return unary("gelu", x, approximation == GeluApproximation::kTanh ? kernels::Unary::kGeluTanh : kernels::Unary::kGelu);
}
Tensor silu(const Tensor& x) { return unary("silu", x, kernels::Unary::kSilu); }
Tensor relu(const Tensor& x) { return unary("relu", x, kernels::Unary::kRelu); }
Tensor leaky_relu(const Tensor& x, double slope) { return unary("leaky_relu", x, kernels::Unary::kLeakyRelu, slope); }
Tensor tanh(const Tensor& x) { return unary("tanh", x, kernels::Unary::kTanh); }
Tensor sigmoid(const Tensor& x) { return unary("sigmoid", x, kernels::Unary::kSigmoid); }
Tensor exp(const Tensor& x) { return unary("exp", x, kernels::Unary::kExp); }
Tensor sqrt(const Tensor& x) { return unary("sqrt", x, kernels::Unary::kSqrt); }
Tensor scale(const Tensor& x, double s) { return unary("scale", x, kernels::Unary::kScale, s); }
Tensor add_scalar(const Tensor& x, double s) { return unary("add_scalar", x, kernels::Unary::kAddScalar, s); }

Tensor add(const Tensor& a, const Tensor& b) { return binary("add", a, b, kernels::Binary::kAdd); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary("sub", a, b, kernels::Binary::kSub); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary("mul", a, b, kernels::Binary::kMul); }
Tensor div(const Tensor& a, const Tensor& b) { return binary("div", a, b, kernels::Binary::kDiv); }

Tensor geglu(const Tensor& x_in) {
  const char* op = "geglu";
  const Device device = detail::require_cuda(op, {&x_in});
  if (x_in.dim() < 1 || x_in.size(-1) % 2 != 0) fail(op, "last dim of " + x_in.to_string() + " must be even");
  const Tensor x = detail::f32(x_in);
  const int64_t f = x.size(-1) / 2;
  Shape out = x.shape();
  out.back() = f;
  Tensor y = empty(out, DType::kF32, device);
  detail::launch(kernels::geglu_f32(f32_ptr(x), f32_mut(y), f == 0 ? 0 : x.numel() / (2 * f), f, current_stream()), op);
  return y;
}

Tensor upsample_nearest2d(const Tensor& x_in, int64_t out_h, int64_t out_w) {
  const char* op = "upsample_nearest2d";
  const Device device = detail::require_device(op, {&x_in});
  if (x_in.dim() != 4) fail(op, "expected [N, C, H, W], got " + x_in.to_string());
  if (out_h < 1 || out_w < 1) fail(op, "output size must be positive");
  if (x_in.dtype() != DType::kF32) {
    // Other dtypes keep their dtype (a pure copy, as on the CPU): two row gathers with torch's source rule.
    auto source_rows = [&](int64_t in, int64_t out) {
      std::vector<int64_t> rows(static_cast<size_t>(out));
      for (int64_t i = 0; i < out; ++i)
        rows[static_cast<size_t>(i)] =
            std::min(static_cast<int64_t>(static_cast<float>(i) * (static_cast<float>(in) / out)), in - 1);
      return to_device(Tensor::from_vector(rows), device);
    };
    const Tensor rows = cuda::index_select(x_in, 2, source_rows(x_in.size(2), out_h));
    return cuda::index_select(rows, 3, source_rows(x_in.size(3), out_w));
  }
  const Tensor& x = x_in;
  Tensor y = empty({x.size(0), x.size(1), out_h, out_w}, DType::kF32, device);
  detail::launch(kernels::upsample_nearest2d_f32(f32_ptr(x), f32_mut(y), x.size(0) * x.size(1), x.size(2), x.size(3),
                                                 out_h, out_w, current_stream()),
                 op);
  return y;
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& perm) {
  detail::require_device("permute", {&x});
  return x.permute(perm);
}

}  // namespace foley::tensor::cuda
