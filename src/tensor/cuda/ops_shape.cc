// Memory, layout and indexing entries of the CUDA backend (tensor/backend.h):
// uploads and downloads, dtype conversion, strided gathers, fills, cat,
// index_select, pad. They move elements of any dtype.
#include <cmath>
#include <algorithm>
#include <cstring>

#include "kernels/indexing.h"
#include "tensor/broadcast.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

kernels::Dtype dtype_code(DType dtype) {
  switch (dtype) {
    case DType::kF32: return kernels::Dtype::kF32;
    case DType::kF16: return kernels::Dtype::kF16;
    case DType::kBF16: return kernels::Dtype::kBF16;
    case DType::kI32: return kernels::Dtype::kI32;
    case DType::kI64: return kernels::Dtype::kI64;
  }
  return kernels::Dtype::kF32;
}

void copy_region(const char* op, const void* x, const std::vector<int64_t>& x_strides, void* y,
                 const std::vector<int64_t>& y_strides, const Shape& shape, DType dtype) {
  if (shape.size() > static_cast<size_t>(kernels::StridedCopy::kMaxRank))
    fail(op, "more than " + std::to_string(kernels::StridedCopy::kMaxRank) + " dims");
  kernels::StridedCopy c;
  c.rank = static_cast<int>(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    c.shape[d] = shape[d];
    c.x_stride[d] = x_strides[d];
    c.y_stride[d] = y_strides[d];
  }
  detail::launch(kernels::strided_copy(x, y, c, static_cast<int>(dtype_size(dtype)), current_stream()), op);
}

char* bytes_of(const Tensor& t) { return static_cast<char*>(device_ptr(t)); }

}  // namespace

Tensor upload(const Tensor& host, Device device) { return to_device(host, device); }

Tensor download(const Tensor& t) { return to_host(t); }

Tensor convert(const Tensor& t, DType dtype) { return to_dtype(t, dtype); }

Tensor gather_strided(const Tensor& src, int64_t offset, const Shape& shape, const std::vector<int64_t>& strides) {
  const Device device = detail::require_device("gather_strided", {&src});
  Tensor out = empty(shape, src.dtype(), device);
  if (out.numel() == 0) return out;
  const char* base = bytes_of(src) + offset * static_cast<int64_t>(dtype_size(src.dtype()));
  copy_region("gather_strided", base, strides, device_ptr(out), contiguous_strides(shape), shape, src.dtype());
  return out;
}

Tensor fill(const Shape& shape, double value, DType dtype, Device device) {
  Tensor out = empty(shape, dtype, device);
  if (out.numel() == 0) return out;
  if (value == 0.0 && !std::signbit(value)) {
    check(cudaMemsetAsync(device_ptr(out), 0, out.nbytes(), current_stream()), "fill");
    return out;
  }
  // The element's bytes, converted on the host exactly as a CPU fill would.
  const Tensor one = Tensor::full({1}, value, dtype);
  uint64_t bits = 0;
  std::memcpy(&bits, one.raw_data(), dtype_size(dtype));
  detail::launch(kernels::fill(device_ptr(out), out.numel(), bits, static_cast<int>(dtype_size(dtype)),
                               current_stream()),
                 "fill");
  return out;
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  const char* op = "cat";
  if (tensors.empty()) fail(op, "no tensors");
  const Tensor& first = tensors.front();
  if (!first.defined()) fail(op, "undefined tensor");
  const Device device = detail::require_device(op, {&first});
  const int64_t d = first.wrap_dim(dim);
  Shape out_shape = first.shape();
  out_shape[static_cast<size_t>(d)] = 0;
  for (const Tensor& t : tensors) {
    bool ok = t.defined() && t.dim() == first.dim() && t.dtype() == first.dtype() && t.device() == device;
    for (int64_t i = 0; ok && i < t.dim(); ++i) ok = i == d || t.size(i) == first.size(i);
    if (!ok)
      fail(op, "cannot concatenate " + first.to_string() + " and " + t.to_string() + " along dim " + std::to_string(dim));
    out_shape[static_cast<size_t>(d)] += t.size(d);
  }
  Tensor out = empty(out_shape, first.dtype(), device);
  const std::vector<int64_t> out_strides = contiguous_strides(out_shape);
  const int64_t elem = static_cast<int64_t>(dtype_size(first.dtype()));
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    if (t.numel() > 0)
      copy_region(op, device_ptr(t), contiguous_strides(t.shape()), bytes_of(out) + at * out_strides[static_cast<size_t>(d)] * elem,
                  out_strides, t.shape(), t.dtype());
    at += t.size(d);
  }
  return out;
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const char* op = "index_select";
  const Device device = detail::require_device(op, {&x, &index});
  if (!index.defined() || index.dim() != 1 || is_floating(index.dtype()))
    fail(op, "index must be a 1-D integer tensor, got " + index.to_string());
  const int64_t d = x.wrap_dim(dim);
  const int64_t size_d = x.size(d);
  // Indices are few (token ids, rows): checked on the host so a bad one is named like on the CPU.
  for (int64_t id : index.to_vector_i64())
    if (id < 0 || id >= size_d)
      fail(op, "index " + std::to_string(id) + " out of range [0, " + std::to_string(size_d) + ") for " + x.to_string());
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(d)] = index.numel();
  Tensor out = empty(out_shape, x.dtype(), device);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  detail::launch(kernels::gather_rows(device_ptr(x), device_ptr(index), index.dtype() == DType::kI64, device_ptr(out),
                                      outer, size_d, index.numel(), inner, static_cast<int>(dtype_size(x.dtype())),
                                      current_stream()),
                 op);
  return out;
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  const char* op = "pad";
  if (!x.defined()) fail(op, "undefined input");
  const Device device = detail::require_device(op, {&x});
  if (pads.size() % 2 != 0 || static_cast<int64_t>(pads.size() / 2) > x.dim())
    fail(op, std::to_string(pads.size()) + " pad values do not fit " + x.to_string());
  const int64_t n = x.dim();
  Shape out_shape = x.shape();
  std::vector<int64_t> before(static_cast<size_t>(n), 0);
  for (size_t p = 0; p < pads.size() / 2; ++p) {
    const size_t dd = static_cast<size_t>(n) - 1 - p;
    before[dd] = pads[2 * p];
    out_shape[dd] += pads[2 * p] + pads[2 * p + 1];
    if (out_shape[dd] < 0) fail(op, "negative output size for " + x.to_string());
  }
  Tensor out = fill(out_shape, value, x.dtype(), device);
  // The overlap of input and output: input index i lands at output index i + before (negative pads crop).
  Shape region(static_cast<size_t>(n));
  int64_t x_offset = 0, y_offset = 0;
  const std::vector<int64_t> xs = contiguous_strides(x.shape()), ys = contiguous_strides(out_shape);
  for (size_t dd = 0; dd < static_cast<size_t>(n); ++dd) {
    const int64_t first = std::max<int64_t>(0, -before[dd]);
    const int64_t last = std::min<int64_t>(x.shape()[dd], out_shape[dd] - before[dd]);
    region[dd] = std::max<int64_t>(0, last - first);
    x_offset += first * xs[dd];
    y_offset += (first + before[dd]) * ys[dd];
  }
  if (shape_numel(region) == 0) return out;
  const int64_t elem = static_cast<int64_t>(dtype_size(x.dtype()));
  copy_region(op, bytes_of(x) + x_offset * elem, xs, bytes_of(out) + y_offset * elem, ys, region, x.dtype());
  return out;
}

Tensor to_dtype(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = empty(t.shape(), dtype, t.device());
  if (is_floating(t.dtype()) && is_floating(dtype))
    check(kernels::convert(device_ptr(t), elem_of(t.dtype()), device_ptr(out), elem_of(dtype), t.numel(),
                           current_stream()),
          "convert");
  else
    check(kernels::convert_any(device_ptr(t), dtype_code(t.dtype()), device_ptr(out), dtype_code(dtype), t.numel(),
                               current_stream()),
          "convert");
  return out;
}

}  // namespace foley::tensor::cuda
