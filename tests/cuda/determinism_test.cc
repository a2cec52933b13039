// Bitwise run-to-run determinism on one GPU: the same inputs through the same
// ops twice give identical bytes (fixed reduction orders in our kernels,
// cuBLASLt's heuristic returning the same algorithm for the same shapes).
#include <catch2/catch.hpp>

#include "cuda_test_util.h"

using namespace foley::tensor;
using namespace foley::tensor::cuda_testing;

namespace {
// A small decoder-like chain through tensor/ops.h touching every kernel family once.
Tensor chain(const Tensor& x, const Tensor& w_conv, const Tensor& w_lin, const Tensor& w_up) {
  Tensor h = group_norm_silu(x, 4, {}, {}, 1e-6);                                    // [1, 8, 12, 10]
  h = conv2d(upsample_nearest2d(h, 24, 20), w_conv, {}, Conv2dOptions::make(1, 1));  // [1, 8, 24, 20]
  Tensor seq = h.reshape({1, 8, 480}).permute({0, 2, 1}).reshape({1, 1, 480, 8});
  seq = attention(linear(seq, w_lin), seq, seq);  // d = 8: the generic kernel
  Tensor wave = seq.reshape({1, 8, 480});
  wave = conv_transpose1d(leaky_relu(wave, 0.1), w_up, {}, ConvTranspose1dOptions{4, 2, 0, 1, 1});
  Conv1dFusion fusion;
  fusion.input_slope = 0.01;
  return tanh(conv1d_fused(wave, scale(w_up.narrow(0, 0, 1).reshape({1, 4, 8}), 0.5), {}, Conv1dOptions{1, 3, 1, 1},
                           fusion));
}
}  // namespace

TEST_CASE("the same inputs give bitwise identical outputs on two runs") {
  const Tensor x = up(random_tensor({1, 8, 12, 10}, 1));
  const Tensor w_conv = up(random_tensor({8, 8, 3, 3}, 2)), w_lin = up(random_tensor({8, 8}, 3));
  const Tensor w_up = up(random_tensor({8, 4, 8}, 4));
  const Tensor first = down(chain(x, w_conv, w_lin, w_up));
  const Tensor second = down(chain(x, w_conv, w_lin, w_up));
  CHECK(bitwise_equal(first, second));

  const Tensor q = up(random_tensor({2, 8, 200, 64}, 5)), k = up(random_tensor({2, 8, 200, 64}, 6));
  CHECK(bitwise_equal(down(attention(q, k, k)), down(attention(q, k, k))));
  const Tensor wide = up(random_tensor({1, 1, 300, 512}, 9));  // a VAE-wide head: the GEMM path
  CHECK(bitwise_equal(down(attention(wide, wide, wide)), down(attention(wide, wide, wide))));
  const Tensor a = up(random_tensor({300, 257}, 7)), w = up(random_tensor({129, 257}, 8));
  CHECK(bitwise_equal(down(linear(a, w)), down(linear(a, w))));
}
