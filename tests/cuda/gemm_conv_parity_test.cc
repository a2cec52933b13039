// CUDA vs CPU: linear, matmul and conv2d (cuBLASLt, operands rounded to bf16
// or f16, f32 accumulation) and the direct conv1d / polyphase
// conv_transpose1d kernels (f32).
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
constexpr double kDirectConvNmse = 1e-10;  // f32 both sides, different summation order

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

TEST_CASE("matmul matches the CPU (batched, transposed, broadcast 2-D operand)") {
  const Tensor a = random_tensor({2, 8, 13, 40}, 500), b = random_tensor({2, 8, 40, 19}, 501);
  require_nmse(cuda::matmul(up(a), up(b)), matmul(a, b), kBf16GemmNmse, "batched");
  const Tensor bt = random_tensor({2, 8, 19, 40}, 502);
  require_nmse(cuda::matmul(up(a), up(bt), true), matmul(a, bt, true), kBf16GemmNmse, "batched transpose_b");
  const Tensor b2 = random_tensor({40, 7}, 503);
  require_nmse(cuda::matmul(up(a), up(b2)), matmul(a, b2), kBf16GemmNmse, "2-D b broadcast");
  const Tensor a2 = random_tensor({5, 40}, 504);
  require_nmse(cuda::matmul(up(a2), up(b)), matmul(a2, b), kBf16GemmNmse, "2-D a broadcast");
}

TEST_CASE("conv2d and fused upsample_conv2d match the CPU") {
  struct Case {
    Shape x, w;
    Conv2dOptions o;
  };
  const Case cases[] = {{{1, 4, 9, 11}, {8, 4, 3, 3}, Conv2dOptions::make(1, 1)},
                        {{2, 3, 8, 8}, {5, 3, 1, 1}, Conv2dOptions::make(1, 0)},
                        {{2, 6, 17, 10}, {4, 6, 3, 3}, Conv2dOptions::make(2, 1)},
                        {{1, 8, 16, 16}, {8, 8, 3, 3}, Conv2dOptions{1, 1, 2, 2, 2, 2, 1}}};
  uint32_t seed = 600;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++), w = random_tensor(c.w, seed++), b = random_tensor({c.w[0]}, seed++);
    const std::string what = shape_to_string(c.x) + " * " + shape_to_string(c.w);
    require_nmse(cuda::conv2d(up(x), up(w), up(b), c.o), conv2d(x, w, b, c.o), kBf16GemmNmse, "conv2d " + what);
    for (const auto& [oh, ow] : {std::pair<int64_t, int64_t>{2 * c.x[2], 2 * c.x[3]}, {c.x[2] + 3, c.x[3] + 1}}) {
      const Tensor expected = conv2d(upsample_nearest2d(x, oh, ow), w, b, c.o);
      require_nmse(cuda::upsample_conv2d(up(x), oh, ow, up(w), up(b), c.o), expected, kBf16GemmNmse,
                   "upsample_conv2d " + what + " to " + std::to_string(oh) + "x" + std::to_string(ow));
    }
  }
}

TEST_CASE("conv1d and the fused leaky/residual/tanh variants match the CPU (HiFi-GAN resblock shapes)") {
  struct Case {
    Shape x, w;
    Conv1dOptions o;
  };
  const Case cases[] = {{{2, 5, 37}, {6, 5, 7}, {1, 9, 3, 1}},
                        {{1, 16, 100}, {16, 16, 3}, {1, 5, 5, 1}},
                        {{2, 8, 64}, {8, 2, 3}, {2, 1, 1, 4}},
                        {{1, 32, 33}, {1, 32, 7}, {1, 3, 1, 1}}};
  uint32_t seed = 700;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++), w = random_tensor(c.w, seed++), b = random_tensor({c.w[0]}, seed++);
    const std::string what = shape_to_string(c.x) + " * " + shape_to_string(c.w);
    const Tensor expected = conv1d(x, w, b, c.o);
    require_nmse(cuda::conv1d(up(x), up(w), up(b), c.o), expected, kDirectConvNmse, "conv1d " + what);
    // bf16 weights on the device vs the CPU on the same (exactly widened) weights.
    const Tensor w16 = w.to(DType::kBF16);
    require_nmse(cuda::conv1d(up(x), up(w16), up(b), c.o), conv1d(x, w16, b, c.o), kDirectConvNmse,
                 "conv1d bf16 weight " + what);
    const Tensor leaky = conv1d(leaky_relu(x, 0.1), w, b, c.o);
    require_nmse(cuda::leaky_conv1d(up(x), 0.1, up(w), up(b), c.o), leaky, kDirectConvNmse, "leaky_conv1d " + what);
    const Tensor residual = random_tensor(expected.shape(), seed++);
    require_nmse(cuda::leaky_conv1d(up(x), 0.1, up(w), up(b), c.o, up(residual)), add(leaky, residual),
                 kDirectConvNmse, "leaky_conv1d + residual " + what);
    require_nmse(cuda::leaky_conv1d(up(x), 0.01, up(w), up(b), c.o, {}, true),
                 tanh(conv1d(leaky_relu(x, 0.01), w, b, c.o)), kDirectConvNmse, "conv_post " + what);
  }
}

TEST_CASE("conv_transpose1d (polyphase) matches the CPU (HiFi-GAN upsamplers, groups, dilation)") {
  struct Case {
    Shape x, w;
    ConvTranspose1dOptions o;
  };
  const Case cases[] = {{{2, 6, 13}, {6, 4, 16}, {8, 4, 0, 1, 1}},   {{1, 8, 21}, {8, 3, 4}, {2, 1, 0, 1, 1}},
                        {{1, 4, 9}, {4, 2, 11}, {5, 3, 2, 1, 1}},    {{2, 4, 10}, {4, 3, 5}, {3, 2, 1, 2, 2}},
                        {{1, 3, 7}, {3, 5, 3}, {1, 0, 0, 1, 1}}};
  uint32_t seed = 800;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++), w = random_tensor(c.w, seed++),
                 b = random_tensor({c.w[1] * c.o.groups}, seed++);
    const std::string what = shape_to_string(c.x) + " * " + shape_to_string(c.w);
    require_nmse(cuda::conv_transpose1d(up(x), up(w), up(b), c.o), conv_transpose1d(x, w, b, c.o), kDirectConvNmse,
                 "conv_transpose1d " + what);
    require_nmse(cuda::leaky_conv_transpose1d(up(x), 0.1, up(w), up(b), c.o),
                 conv_transpose1d(leaky_relu(x, 0.1), w, b, c.o), kDirectConvNmse, "leaky_conv_transpose1d " + what);
  }
}
