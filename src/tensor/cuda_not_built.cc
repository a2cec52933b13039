// The CUDA table of tensor/backend.h in a build without CUDA: every entry
// refuses with the same clear message, naming the operation asked for.
#include <string>

#include "common/error.h"
#include "tensor/backend.h"

namespace foley::tensor {
namespace {

constexpr const char* kEntryNames[] = {"allocate", "upload", "download", "convert", "gather_strided", "fill", "linear", "matmul", "conv1d", "conv1d_fused", "conv_transpose1d", "conv2d", "group_norm", "group_norm_silu", "layer_norm", "rms_norm", "l2_normalize", "attention", "attention_heads", "softmax", "gelu", "silu", "relu", "leaky_relu", "tanh", "sigmoid", "exp", "sqrt", "geglu", "add", "sub", "mul", "div", "scale", "add_scalar", "sum", "mean", "cumsum", "cat", "index_select", "pad", "upsample_nearest2d"};

template <typename F, int kEntry>
struct Refuse;
template <typename R, typename... Args, int kEntry>
struct Refuse<R (*)(Args...), kEntry> {
  static R fn(Args...) {
    throw Error(std::string(kEntryNames[kEntry]) +
                " on cuda: this foley was built without CUDA (configure with -DFOLEY_CUDA=ON where the CUDA "
                "toolkit is installed), use device = \"cpu\"");
  }
};

}  // namespace

const Backend& cuda_backend() {
  static const Backend table = [] {
    Backend b{};
    b.name = "cuda (not built)";
    b.allocate = &Refuse<decltype(b.allocate), 0>::fn;
    b.upload = &Refuse<decltype(b.upload), 1>::fn;
    b.download = &Refuse<decltype(b.download), 2>::fn;
    b.convert = &Refuse<decltype(b.convert), 3>::fn;
    b.gather_strided = &Refuse<decltype(b.gather_strided), 4>::fn;
    b.fill = &Refuse<decltype(b.fill), 5>::fn;
    b.linear = &Refuse<decltype(b.linear), 6>::fn;
    b.matmul = &Refuse<decltype(b.matmul), 7>::fn;
    b.conv1d = &Refuse<decltype(b.conv1d), 8>::fn;
    b.conv1d_fused = &Refuse<decltype(b.conv1d_fused), 9>::fn;
    b.conv_transpose1d = &Refuse<decltype(b.conv_transpose1d), 10>::fn;
    b.conv2d = &Refuse<decltype(b.conv2d), 11>::fn;
    b.group_norm = &Refuse<decltype(b.group_norm), 12>::fn;
    b.group_norm_silu = &Refuse<decltype(b.group_norm_silu), 13>::fn;
    b.layer_norm = &Refuse<decltype(b.layer_norm), 14>::fn;
    b.rms_norm = &Refuse<decltype(b.rms_norm), 15>::fn;
    b.l2_normalize = &Refuse<decltype(b.l2_normalize), 16>::fn;
    b.attention = &Refuse<decltype(b.attention), 17>::fn;
    b.attention_heads = &Refuse<decltype(b.attention_heads), 18>::fn;
    b.softmax = &Refuse<decltype(b.softmax), 19>::fn;
    b.gelu = &Refuse<decltype(b.gelu), 20>::fn;
    b.silu = &Refuse<decltype(b.silu), 21>::fn;
    b.relu = &Refuse<decltype(b.relu), 22>::fn;
    b.leaky_relu = &Refuse<decltype(b.leaky_relu), 23>::fn;
    b.tanh = &Refuse<decltype(b.tanh), 24>::fn;
    b.sigmoid = &Refuse<decltype(b.sigmoid), 25>::fn;
    b.exp = &Refuse<decltype(b.exp), 26>::fn;
    b.sqrt = &Refuse<decltype(b.sqrt), 27>::fn;
    b.geglu = &Refuse<decltype(b.geglu), 28>::fn;
    b.add = &Refuse<decltype(b.add), 29>::fn;
    b.sub = &Refuse<decltype(b.sub), 30>::fn;
    b.mul = &Refuse<decltype(b.mul), 31>::fn;
    b.div = &Refuse<decltype(b.div), 32>::fn;
    b.scale = &Refuse<decltype(b.scale), 33>::fn;
    b.add_scalar = &Refuse<decltype(b.add_scalar), 34>::fn;
    b.sum = &Refuse<decltype(b.sum), 35>::fn;
    b.mean = &Refuse<decltype(b.mean), 36>::fn;
    b.cumsum = &Refuse<decltype(b.cumsum), 37>::fn;
    b.cat = &Refuse<decltype(b.cat), 38>::fn;
    b.index_select = &Refuse<decltype(b.index_select), 39>::fn;
    b.pad = &Refuse<decltype(b.pad), 40>::fn;
    b.upsample_nearest2d = &Refuse<decltype(b.upsample_nearest2d), 41>::fn;
    return b;
  }();
  return table;
}

}  // namespace foley::tensor
