// The CPU's table of tensor/backend.h, and the lookup of a device's table.
#include <cstring>
#include <string>

#include "common/error.h"
#include "tensor/backend.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor {
namespace cpu {

std::shared_ptr<Storage> allocate(size_t bytes, Device device) { return Storage::allocate(bytes, device); }

Tensor convert(const Tensor& t, DType dtype) { return t.to(dtype); }

Tensor fill(const Shape& shape, double value, DType dtype, Device device) {
  return Tensor::full(shape, value, dtype, device);
}

Tensor gather_strided(const Tensor& src, int64_t offset, const Shape& shape, const std::vector<int64_t>& strides) {
  Tensor out = Tensor::empty(shape, src.dtype());
  const int64_t n = out.numel(), rank = static_cast<int64_t>(shape.size());
  if (n == 0) return out;
  const size_t elem = dtype_size(src.dtype());
  const auto* from = static_cast<const char*>(src.raw_data());
  auto* to = static_cast<char*>(out.raw_data());
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t at = offset;
    for (int64_t d = 0; d < rank; ++d) at += index[static_cast<size_t>(d)] * strides[static_cast<size_t>(d)];
    std::memcpy(to + static_cast<size_t>(i) * elem, from + static_cast<size_t>(at) * elem, elem);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[static_cast<size_t>(d)] < shape[static_cast<size_t>(d)]) break;
      index[static_cast<size_t>(d)] = 0;
    }
  }
  return out;
}

namespace {

Tensor refuse_upload(const Tensor& t, Device) {
  throw Error("upload of " + t.to_string() + ": the CPU backend is the host, nothing to upload");
}
Tensor refuse_download(const Tensor& t) {
  throw Error("download of " + t.to_string() + ": the CPU backend is the host, nothing to download");
}

}  // namespace
}  // namespace cpu

const Backend& cpu_backend() {
  static const Backend table{
    .name = "cpu",
    .allocate = cpu::allocate,
    .upload = cpu::refuse_upload,
    .download = cpu::refuse_download,
    .convert = cpu::convert,
    .gather_strided = cpu::gather_strided,
    .fill = cpu::fill,
    .linear = cpu::linear,
    .matmul = cpu::matmul,
    .conv1d = cpu::conv1d,
    .conv1d_fused = cpu::conv1d_fused,
    .conv_transpose1d = cpu::conv_transpose1d,
    .conv2d = cpu::conv2d,
    .group_norm = cpu::group_norm,
    .group_norm_silu = cpu::group_norm_silu,
    .layer_norm = cpu::layer_norm,
    .rms_norm = cpu::rms_norm,
    .l2_normalize = cpu::l2_normalize,
    .attention = cpu::attention,
    .attention_heads = cpu::attention_heads,
    .softmax = cpu::softmax,
    .gelu = cpu::gelu,
    .silu = cpu::silu,
    .relu = cpu::relu,
    .leaky_relu = cpu::leaky_relu,
    .tanh = cpu::tanh,
    .sigmoid = cpu::sigmoid,
    .exp = cpu::exp,
    .sqrt = cpu::sqrt,
    .geglu = cpu::geglu,
    .add = cpu::add,
    .sub = cpu::sub,
    .mul = cpu::mul,
    .div = cpu::div,
    .scale = cpu::scale,
    .add_scalar = cpu::add_scalar,
    .sum = cpu::sum,
    .mean = cpu::mean,
    .cumsum = cpu::cumsum,
    .cat = cpu::cat,
    .index_select = cpu::index_select,
    .pad = cpu::pad,
    .upsample_nearest2d = cpu::upsample_nearest2d,
  };
  return table;
}

const Backend& backend_for(Device device) { return device.is_cpu() ? cpu_backend() : cuda_backend(); }

}  // namespace foley::tensor
