// The CUDA table of tensor/backend.h.
#include "tensor/backend.h"
#include "tensor/cuda/ops.h"
#include "tensor/cuda/runtime.h"

namespace foley::tensor {

const Backend& cuda_backend() {
  static const Backend table{
    .name = "cuda",
    .allocate = cuda::allocate,
    .upload = cuda::upload,
    .download = cuda::download,
    .convert = cuda::convert,
    .gather_strided = cuda::gather_strided,
    .fill = cuda::fill,
    .linear = cuda::linear,
    .matmul = cuda::matmul,
    .conv1d = cuda::conv1d,
    .conv1d_fused = cuda::conv1d_fused,
    .conv_transpose1d = cuda::conv_transpose1d,
    .conv2d = cuda::conv2d,
    .group_norm = cuda::group_norm,
    .group_norm_silu = cuda::group_norm_silu,
    .layer_norm = cuda::layer_norm,
    .rms_norm = cuda::rms_norm,
    .l2_normalize = cuda::l2_normalize,
    .attention = cuda::attention,
    .attention_heads = cuda::attention_heads,
    .softmax = cuda::softmax,
    .gelu = cuda::gelu,
    .silu = cuda::silu,
    .relu = cuda::relu,
    .leaky_relu = cuda::leaky_relu,
    .tanh = cuda::tanh,
    .sigmoid = cuda::sigmoid,
    .exp = cuda::exp,
    .sqrt = cuda::sqrt,
    .geglu = cuda::geglu,
    .add = cuda::add,
    .sub = cuda::sub,
    .mul = cuda::mul,
    .div = cuda::div,
    .scale = cuda::scale,
    .add_scalar = cuda::add_scalar,
    .sum = cuda::sum,
    .mean = cuda::mean,
    .cumsum = cuda::cumsum,
    .cat = cuda::cat,
    .index_select = cuda::index_select,
    .pad = cuda::pad,
    .upsample_nearest2d = cuda::upsample_nearest2d,
  };
  return table;
}

}  // namespace foley::tensor
