// CUDA vs CPU: activations, broadcasting arithmetic, GEGLU, softmax, layout
// ops, conversions, timestep embedding. All f32 on both sides, so thresholds
// only allow for libm differences (erff/expf/tanhf within a few ulps).
#include <catch2/catch.hpp>

#include <cmath>

#include "cuda_test_util.h"
#include "tensor/dtype.h"

using namespace foley::tensor;
using namespace foley::tensor::cuda_testing;

namespace {
constexpr double kElementwiseNmse = 1e-10;  // ~1e-7 relative per element, far above f32 libm spread
}

TEST_CASE("unary activations match the CPU (odd length, batch 2)") {
  const Tensor x = random_tensor({2, 3, 1001}, 1, -6.0f, 6.0f);
  const Tensor dx = up(x);
  require_nmse(cuda::gelu(dx), gelu(x), kElementwiseNmse, "gelu");
  require_nmse(cuda::gelu(dx, GeluApproximation::kTanh), gelu(x, GeluApproximation::kTanh), kElementwiseNmse,
               "gelu_tanh");
  require_nmse(cuda::silu(dx), silu(x), kElementwiseNmse, "silu");
  require_nmse(cuda::relu(dx), relu(x), 0.0, "relu");
  require_nmse(cuda::leaky_relu(dx, 0.1), leaky_relu(x, 0.1), 1e-14, "leaky_relu");  // CPU may multiply in double
  require_nmse(cuda::tanh(dx), tanh(x), kElementwiseNmse, "tanh");
  require_nmse(cuda::sigmoid(dx), sigmoid(x), kElementwiseNmse, "sigmoid");
  require_nmse(cuda::exp(dx), exp(x), kElementwiseNmse, "exp");
  require_nmse(cuda::scale(dx, -0.37), scale(x, -0.37), 1e-14, "scale");
  require_nmse(cuda::add_scalar(dx, 2.5), add_scalar(x, 2.5), 1e-14, "add_scalar");
  const Tensor positive = random_tensor({7, 129}, 2, 0.0f, 50.0f);
  require_nmse(cuda::sqrt(up(positive)), sqrt(positive), 0.0, "sqrt");
}

TEST_CASE("broadcast arithmetic matches the CPU") {
  struct Case {
    Shape a, b;
  };
  const Case cases[] = {{{2, 3, 5, 7}, {3, 1, 7}}, {{1}, {4, 5}}, {{2, 8, 77, 77}, {2, 1, 1, 77}},
                        {{6, 1}, {1, 9}},          {{33}, {33}}, {{2, 1, 3}, {2, 4, 1}}};
  uint32_t seed = 10;
  for (const Case& c : cases) {
    const Tensor a = random_tensor(c.a, seed++), b = random_tensor(c.b, seed++, 0.5f, 2.0f);
    const std::string shapes = shape_to_string(c.a) + " and " + shape_to_string(c.b);
    require_nmse(cuda::add(up(a), up(b)), add(a, b), 0.0, "add " + shapes);
    require_nmse(cuda::sub(up(a), up(b)), sub(a, b), 0.0, "sub " + shapes);
    require_nmse(cuda::mul(up(a), up(b)), mul(a, b), 0.0, "mul " + shapes);
    require_nmse(cuda::div(up(a), up(b)), div(a, b), 0.0, "div " + shapes);
  }
}

TEST_CASE("geglu, mean3 and softmax match the CPU") {
  const Tensor x = random_tensor({2, 37, 2 * 160}, 20, -4.0f, 4.0f);
  require_nmse(cuda::geglu(up(x)), geglu(x), kElementwiseNmse, "geglu");
  const Tensor a = random_tensor({2, 16, 1023}, 21), b = random_tensor({2, 16, 1023}, 22),
               c = random_tensor({2, 16, 1023}, 23);
  require_nmse(cuda::mean3(up(a), up(b), up(c)), div(add(add(a, b), c), Tensor::full({1}, 3.0)), 1e-14, "mean3");
  const Tensor s = random_tensor({2, 8, 13, 77}, 24, -10.0f, 10.0f);
  require_nmse(cuda::softmax(up(s), -1), softmax(s, -1), kElementwiseNmse, "softmax last dim");
  require_nmse(cuda::softmax(up(s), 1), softmax(s, 1), kElementwiseNmse, "softmax dim 1");
}

TEST_CASE("permute, nearest upsampling and dtype conversions are exact") {
  const Tensor x = random_tensor({2, 5, 3, 7}, 30);
  require_nmse(cuda::permute(up(x), {0, 2, 1, 3}), x.permute({0, 2, 1, 3}), 0.0, "permute 0213");
  require_nmse(cuda::permute(up(x), {3, 0, 2, 1}), x.permute({3, 0, 2, 1}), 0.0, "permute 3021");
  require_nmse(cuda::upsample_nearest2d(up(x), 6, 14), upsample_nearest2d(x, 6, 14), 0.0, "upsample 2x");
  require_nmse(cuda::upsample_nearest2d(up(x), 5, 9), upsample_nearest2d(x, 5, 9), 0.0, "upsample odd");

  const Tensor wide = random_tensor({4099}, 31, -70000.0f, 70000.0f);
  for (DType dt : {DType::kBF16, DType::kF16}) {
    const Tensor on_gpu = down(cuda::to_dtype(up(wide), dt));
    const Tensor on_cpu = wide.to(dt);
    CHECK(bitwise_equal(on_gpu, on_cpu));
    CHECK(bitwise_equal(down(cuda::to_dtype(up(on_cpu), DType::kF32)), on_cpu.to(DType::kF32)));
  }
}

TEST_CASE("timestep embedding matches diffusers' formula") {
  const std::vector<float> steps = {0.0f, 1.0f, 17.0f, 499.0f, 999.0f};
  const Tensor t = Tensor::from_vector(steps);
  for (const bool flip : {true, false}) {
    for (const int64_t dim : {320, 33}) {
      const double shift = flip ? 0.0 : 1.0;
      // Reference: diffusers computes the exponent, exp and product in f32,
      // then sin/cos; sin/cos here in double of the same f32 argument.
      const int64_t half = dim / 2;
      std::vector<float> expected(static_cast<size_t>(steps.size() * dim), 0.0f);
      for (size_t r = 0; r < steps.size(); ++r)
        for (int64_t j = 0; j < half; ++j) {
          const float exponent = -std::log(10000.0f) * static_cast<float>(j) / (static_cast<float>(half) - float(shift));
          const float arg = steps[r] * std::exp(exponent);
          const float s = static_cast<float>(std::sin(static_cast<double>(arg)));
          const float c = static_cast<float>(std::cos(static_cast<double>(arg)));
          expected[r * dim + j] = flip ? c : s;
          expected[r * dim + half + j] = flip ? s : c;
        }
      const Tensor want = Tensor::from_vector(expected, {static_cast<int64_t>(steps.size()), dim});
      // sinf of arguments up to 1e3 in f32 differs from double by ~1 ulp of the argument, and CUDA's expf
      // (2 ulp) moves each frequency by a few 1e-7 relative: NMSE ~3e-10 expected, up to ~2e-9 seen in
      // emulation; 1e-8 keeps a margin while still catching any formula error (those give NMSE ~1e-2).
      require_nmse(cuda::timestep_embedding(up(t), dim, flip, shift), want, 1e-8,
                   "timestep dim " + std::to_string(dim) + (flip ? " flip" : ""));
    }
  }
}
