#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "common/error.h"
#include "tensor/ops.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::require_close;

namespace {

void check_unary(const Tensor& x, const Tensor& y, const std::function<double(double)>& ref) {
  std::vector<float> expected;
  for (float v : x.to_vector_f32()) expected.push_back(static_cast<float>(ref(v)));
  require_close(y, x.shape(), expected, 1e-6, 1e-5);
}

// Naive broadcasting reference: out index -> operand index per dim.
std::vector<float> broadcast_ref(const Tensor& a, const Tensor& b, const Shape& out,
                                 const std::function<float(float, float)>& op) {
  const std::vector<float> av = a.to_vector_f32(), bv = b.to_vector_f32();
  std::vector<float> result;
  const int64_t n = shape_numel(out);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, ia = 0, ib = 0, sa = 1, sb = 1;
    for (size_t d = out.size(); d-- > 0;) {
      const int64_t idx = rem % out[d];
      rem /= out[d];
      const int64_t ad = static_cast<int64_t>(d) - static_cast<int64_t>(out.size() - a.shape().size());
      const int64_t bd = static_cast<int64_t>(d) - static_cast<int64_t>(out.size() - b.shape().size());
      if (ad >= 0) {
        const int64_t size = a.shape()[static_cast<size_t>(ad)];
        ia += (size == 1 ? 0 : idx) * sa;
        sa *= size;
      }
      if (bd >= 0) {
        const int64_t size = b.shape()[static_cast<size_t>(bd)];
        ib += (size == 1 ? 0 : idx) * sb;
        sb *= size;
      }
    }
    result.push_back(op(av[static_cast<size_t>(ia)], bv[static_cast<size_t>(ib)]));
  }
  return result;
}

}  // namespace

TEST_CASE("activations match their formulas") {
  const Tensor x = random_tensor({3, 37, 11}, 7, -6.0f, 6.0f);
  check_unary(x, gelu(x), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  check_unary(x, gelu(x, GeluApproximation::kTanh), [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  });
  check_unary(x, silu(x), [](double v) { return v / (1 + std::exp(-v)); });
  check_unary(x, relu(x), [](double v) { return v > 0 ? v : 0; });
  check_unary(x, leaky_relu(x, 0.1), [](double v) { return v > 0 ? v : 0.1 * v; });
  check_unary(x, tanh(x), [](double v) { return std::tanh(v); });
  check_unary(x, sigmoid(x), [](double v) { return 1 / (1 + std::exp(-v)); });
  check_unary(x, exp(x), [](double v) { return std::exp(v); });
  check_unary(x, scale(x, -0.25), [](double v) { return -0.25 * v; });
  check_unary(x, add_scalar(x, 3), [](double v) { return v + 3; });
  // f16 input is widened first.
  check_unary(x.to(DType::kF16), silu(x.to(DType::kF16)), [](double v) { return v / (1 + std::exp(-v)); });
  CHECK_THROWS_AS(relu(Tensor::zeros({2}, DType::kI64)), foley::Error);
}

TEST_CASE("geglu splits value and gate halves") {
  const Tensor x = random_tensor({2, 5, 6}, 8, -3, 3);
  const std::vector<float> xs = x.to_vector_f32();
  std::vector<float> expected;
  for (int r = 0; r < 10; ++r)
    for (int j = 0; j < 3; ++j) {
      const double g = xs[static_cast<size_t>(r * 6 + 3 + j)];
      expected.push_back(static_cast<float>(xs[static_cast<size_t>(r * 6 + j)] * 0.5 * g * (1 + std::erf(g / std::sqrt(2.0)))));
    }
  require_close(geglu(x), {2, 5, 3}, expected);
  CHECK_THROWS_AS(geglu(random_tensor({3, 5}, 1)), foley::Error);
}

TEST_CASE("binary ops broadcast like numpy") {
  struct Case {
    Shape a, b, out;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4}, {2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}, {2, 3, 4}},       {{2, 3, 4}, {3, 1}, {2, 3, 4}},
      {{2, 1, 4}, {1, 3, 1}, {2, 3, 4}}, {{5, 7, 1, 1}, {5, 7, 3, 2}, {5, 7, 3, 2}}, {{1}, {3, 2}, {3, 2}},
      {{2, 8, 5, 3}, {2, 8, 1, 1}, {2, 8, 5, 3}}, {{}, {4}, {4}},
  };
  uint32_t seed = 10;
  for (const Case& c : cases) {
    const Tensor a = c.a.empty() ? Tensor::full({}, 1.5) : random_tensor(c.a, seed++);
    const Tensor b = random_tensor(c.b, seed++, 0.5f, 2.0f);
    require_close(add(a, b), c.out, broadcast_ref(a, b, c.out, [](float x, float y) { return x + y; }));
    require_close(sub(b, a), c.out, broadcast_ref(b, a, c.out, [](float x, float y) { return x - y; }));
    require_close(mul(a, b), c.out, broadcast_ref(a, b, c.out, [](float x, float y) { return x * y; }));
    require_close(div(a, b), c.out, broadcast_ref(a, b, c.out, [](float x, float y) { return x / y; }));
  }
  CHECK_THROWS_AS(add(random_tensor({2, 3}, 1), random_tensor({3, 2}, 2)), foley::Error);
}

TEST_CASE("integer arithmetic stays integer") {
  const Tensor a = Tensor::from_vector(std::vector<int64_t>{5, -7, 9}, {3});
  const Tensor b = Tensor::from_vector(std::vector<int64_t>{2}, {1});
  CHECK(add(a, b).dtype() == DType::kI64);
  CHECK(add(a, b).to_vector_i64() == std::vector<int64_t>{7, -5, 11});
  CHECK(div(a, b).to_vector_i64() == std::vector<int64_t>{2, -3, 4});
  CHECK(mul(a.to(DType::kI32), b.to(DType::kI32)).dtype() == DType::kI32);
  CHECK_THROWS_AS(div(a, Tensor::zeros({1}, DType::kI64)), foley::Error);
  // Mixed float/int computes in f32.
  CHECK(add(a, Tensor::full({1}, 0.5)).to_vector_f32() == std::vector<float>{5.5f, -6.5f, 9.5f});
}

TEST_CASE("sum, mean and cumsum along a dim") {
  const Tensor x = random_tensor({3, 4, 5}, 20);
  const std::vector<float> xs = x.to_vector_f32();
  std::vector<float> s1, m2;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 5; ++k) {
      double acc = 0;
      for (int j = 0; j < 4; ++j) acc += xs[static_cast<size_t>((i * 4 + j) * 5 + k)];
      s1.push_back(static_cast<float>(acc));
    }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      double acc = 0;
      for (int k = 0; k < 5; ++k) acc += xs[static_cast<size_t>((i * 4 + j) * 5 + k)];
      m2.push_back(static_cast<float>(acc / 5));
    }
  require_close(sum(x, 1), {3, 5}, s1);
  require_close(sum(x, -2, true), {3, 1, 5}, s1);
  require_close(mean(x, 2), {3, 4}, m2);

  const Tensor ids = Tensor::from_vector(std::vector<int64_t>{0, 5, 1, 1, 1, 7, 3, 1}, {2, 4});
  const Tensor c = cumsum(ids, 1);
  CHECK(c.dtype() == DType::kI64);
  CHECK(c.to_vector_i64() == std::vector<int64_t>{0, 5, 6, 7, 1, 8, 11, 12});
  CHECK(cumsum(ids.to(DType::kI32), 0).to_vector_i64() == std::vector<int64_t>{0, 5, 1, 1, 1, 12, 4, 2});
  CHECK(cumsum(Tensor::from_vector(std::vector<float>{0.5f, 1, 2}), 0).to_vector_f32() ==
        std::vector<float>{0.5f, 1.5f, 3.5f});
}

TEST_CASE("softmax along any dim") {
  const Tensor x = random_tensor({4, 3, 7}, 21, -20, 20);
  const std::vector<float> xs = x.to_vector_f32();
  std::vector<float> expected(xs.size());
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 7; ++k) {
      double mx = -1e30, total = 0;
      for (int j = 0; j < 3; ++j) mx = std::max<double>(mx, xs[static_cast<size_t>((i * 3 + j) * 7 + k)]);
      for (int j = 0; j < 3; ++j) total += std::exp(xs[static_cast<size_t>((i * 3 + j) * 7 + k)] - mx);
      for (int j = 0; j < 3; ++j)
        expected[static_cast<size_t>((i * 3 + j) * 7 + k)] =
            static_cast<float>(std::exp(xs[static_cast<size_t>((i * 3 + j) * 7 + k)] - mx) / total);
    }
  require_close(softmax(x, 1), x.shape(), expected, 1e-7, 1e-5);
  // Rows sum to one on the last dim.
  const std::vector<float> s = sum(softmax(x, -1), -1).to_vector_f32();
  for (float v : s) CHECK(v == Approx(1.0f).epsilon(1e-5));
}

TEST_CASE("geglu and silu over rows longer than one vector, with tails") {
  // 2 x 7 rows of F = 37 (two full 16-lane vectors and a tail of 5), gates spread over [-6, 6].
  const Tensor x = random_tensor({2, 7, 74}, 9, -6, 6);
  const std::vector<float> xs = x.to_vector_f32();
  std::vector<float> expected;
  for (int r = 0; r < 14; ++r)
    for (int j = 0; j < 37; ++j) {
      const double g = xs[static_cast<size_t>(r * 74 + 37 + j)];
      expected.push_back(static_cast<float>(xs[static_cast<size_t>(r * 74 + j)] * 0.5 * g * (1 + std::erf(g / std::sqrt(2.0)))));
    }
  // The AVX-512 path computes erf by Abramowitz & Stegun 7.1.26 (torch's
  // vectorised CPU erf): max abs error 1.5e-7 in erf, so up to
  // 1.5e-7 * |a * g| / 2 <= 2.7e-6 in a * gelu(g) for |a|, |g| <= 6.
  require_close(geglu(x), {2, 7, 37}, expected, 3e-6, 1e-5);
  // Far tails: silu(-100) ~ 0 and silu(100) = 100; gelu(-10) ~ 0.
  const Tensor extremes = Tensor::from_vector(std::vector<float>{-100.0f, 100.0f, -10.0f, 10.0f, 0.0f}, Shape{5});
  const auto s = silu(extremes).to_vector_f32();
  CHECK(std::fabs(s[0]) < 1e-30);
  CHECK(s[1] == Approx(100.0f));
  const auto g = gelu(extremes).to_vector_f32();
  CHECK(std::fabs(g[2]) < 1e-6);
  CHECK(g[3] == Approx(10.0f));
  CHECK(g[4] == 0.0f);
}
