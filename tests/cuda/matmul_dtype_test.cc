// The CUDA GEMM's two operand formats (the op table, tests/tensor/op_table,
// covers every op in the default bf16; this is the f16 mode and weights
// prepared once at load).
//
// GEMM threshold: rounding both operands to bf16 (unit roundoff u = 2^-8)
// gives each product a relative error of about sqrt(2/3) u with random sign,
// so NMSE ~ (2/3) u^2 ~ 1e-5 for random inputs; 1e-4 leaves 10x margin and
// still catches any layout/transposition bug (those give NMSE ~ 1). f16
// (u = 2^-11) gets 2e-6.
#include <catch2/catch.hpp>

#include "cuda_test_util.h"

using namespace foley::tensor;
using namespace foley::tensor::cuda_testing;

namespace {
constexpr double kBf16GemmNmse = 1e-4;
constexpr double kF16GemmNmse = 2e-6;

// Restores the process-wide matmul dtype at scope exit.
struct MatmulDtype {
  DType saved = cuda::matmul_dtype();
  explicit MatmulDtype(DType dt) { cuda::set_matmul_dtype(dt); }
  ~MatmulDtype() { cuda::set_matmul_dtype(saved); }
};
}  // namespace

TEST_CASE("linear matches the CPU (odd sizes, with and without bias, bf16 and f16)") {
  struct Case {
    Shape x;
    int64_t out;
  };
  const Case cases[] = {{{2, 7, 33}, 17}, {{1, 77, 768}, 1024}, {{2, 1, 5}, 3}, {{130, 64}, 96}};
  uint32_t seed = 400;
  for (const auto& [dt, threshold] : {std::pair{DType::kBF16, kBf16GemmNmse}, std::pair{DType::kF16, kF16GemmNmse}}) {
    MatmulDtype scope(dt);
    for (const Case& c : cases) {
      const int64_t in = c.x.back();
      const Tensor x = random_tensor(c.x, seed++), w = random_tensor({c.out, in}, seed++),
                   b = random_tensor({c.out}, seed++);
      const std::string what = shape_to_string(c.x) + " -> " + std::to_string(c.out) + " " +
                               std::string(dtype_name(dt));
      require_nmse(cuda::linear(up(x), up(w), up(b)), linear(x, w, b), threshold, "linear " + what);
      require_nmse(cuda::linear(up(x), up(w)), linear(x, w), threshold, "linear no bias " + what);
      // Weights prepared once at load (bf16/f16 on the device) give the same result.
      require_nmse(cuda::linear(up(x), cuda::prepare_weight(w, gpu()), up(b)), linear(x, w, b), threshold,
                   "linear prepared weight " + what);
    }
  }
}
