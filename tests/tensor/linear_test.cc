#include <catch2/catch.hpp>

#include "common/error.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/linear_primitive.h"
#include "tensor/ops.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::require_close;

namespace {

// Naive [M,K] x [K,N] (b given as [N,K] when transposed), double accumulation.
std::vector<float> naive_matmul(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t k,
                                int64_t n, bool b_is_nk, size_t a_off = 0, size_t b_off = 0) {
  std::vector<float> out(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += static_cast<double>(a[a_off + static_cast<size_t>(i * k + p)]) *
               b[b_off + static_cast<size_t>(b_is_nk ? j * k + p : p * n + j)];
      out[static_cast<size_t>(i * n + j)] = static_cast<float>(acc);
    }
  return out;
}

struct BackendGuard {
  cpu::GemmBackend saved = cpu::gemm_backend();
  ~BackendGuard() { cpu::set_gemm_backend(saved); }
};

}  // namespace

TEST_CASE("linear = x W^T + b on both GEMM backends") {
  BackendGuard guard;
  for (auto backend : {cpu::GemmBackend::kOneDnn, cpu::GemmBackend::kOpenBlas}) {
    cpu::set_gemm_backend(backend);
    INFO(cpu::gemm_backend_name(backend));
    const Tensor x = random_tensor({2, 5, 33}, 1);
    const Tensor w = random_tensor({17, 33}, 2);
    const Tensor b = random_tensor({17}, 3);
    std::vector<float> expected = naive_matmul(x.to_vector_f32(), w.to_vector_f32(), 10, 33, 17, true);
    const std::vector<float> bs = b.to_vector_f32();
    require_close(linear(x, w), {2, 5, 17}, expected);
    for (size_t i = 0; i < expected.size(); ++i) expected[i] += bs[i % 17];
    require_close(linear(x, w, b), {2, 5, 17}, expected);
    // Half-precision weights are widened: same result as widening by hand.
    const Tensor wh = w.to(DType::kF16);
    require_close(linear(x, wh, b), {2, 5, 17}, linear(x, wh.to(DType::kF32), b).to_vector_f32(), 0, 0);
  }
  CHECK_THROWS_AS(linear(random_tensor({2, 4}, 1), random_tensor({3, 5}, 2)), foley::Error);
  CHECK_THROWS_AS(linear(random_tensor({2, 4}, 1), random_tensor({3, 4}, 2), random_tensor({4}, 3)), foley::Error);
}

TEST_CASE("matmul with batch broadcasting and transposed b") {
  BackendGuard guard;
  for (auto backend : {cpu::GemmBackend::kOneDnn, cpu::GemmBackend::kOpenBlas}) {
    cpu::set_gemm_backend(backend);
    const Tensor a = random_tensor({3, 2, 7, 9}, 4);
    const Tensor b = random_tensor({2, 9, 5}, 5);  // broadcast over the leading 3
    const Tensor y = matmul(a, b);
    REQUIRE(y.shape() == Shape{3, 2, 7, 5});
    const std::vector<float> av = a.to_vector_f32(), bv = b.to_vector_f32(), yv = y.to_vector_f32();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 2; ++j) {
        const auto ref = naive_matmul(av, bv, 7, 9, 5, false, static_cast<size_t>((i * 2 + j) * 63),
                                      static_cast<size_t>(j * 45));
        const std::vector<float> got(yv.begin() + (i * 2 + j) * 35, yv.begin() + (i * 2 + j + 1) * 35);
        CHECK(foley::tensor::testing::closeness(got, ref, 1e-5, 1e-4) <= 1.0);
      }
    const Tensor bt = random_tensor({4, 9}, 6);
    require_close(matmul(random_tensor({7, 9}, 4), bt, true), {7, 4},
                  naive_matmul(random_tensor({7, 9}, 4).to_vector_f32(), bt.to_vector_f32(), 7, 9, 4, true));
    // 2-D b shared across a batch.
    const Tensor b2 = random_tensor({9, 3}, 7);
    const Tensor a3 = random_tensor({4, 7, 9}, 8);
    require_close(matmul(a3, b2), {4, 7, 3}, naive_matmul(a3.to_vector_f32(), b2.to_vector_f32(), 28, 9, 3, false));
  }
  CHECK_THROWS_AS(matmul(random_tensor({2, 3}, 1), random_tensor({4, 2}, 2)), foley::Error);
  CHECK_THROWS_AS(matmul(random_tensor({2, 2, 3}, 1), random_tensor({3, 3, 2}, 2)), foley::Error);
}

TEST_CASE("thread count is settable and results do not depend on it beyond rounding") {
  const int saved = num_threads();
  const Tensor x = random_tensor({64, 256}, 9);
  const Tensor w = random_tensor({128, 256}, 10);
  set_num_threads(1);
  CHECK(num_threads() == 1);
  const Tensor one = linear(x, w);
  set_num_threads(0);
  CHECK(num_threads() >= 1);
  require_close(linear(x, w), one.shape(), one.to_vector_f32(), 1e-5, 1e-5);
  set_num_threads(saved);
}

TEST_CASE("linear with enough rows packs each weight once, again after it is written in place, and frees it with it") {
  BackendGuard guard;
  cpu::set_gemm_backend(cpu::GemmBackend::kOneDnn);
  cpu::clear_linear_cache();
  const int64_t rows = cpu::kPackedLinearMinRows;
  const Tensor x = random_tensor({2, rows / 2, 48}, 11);
  const Tensor b = random_tensor({40}, 13);
  {
    Tensor w = random_tensor({40, 48}, 12);
    auto expected = [&] {
      std::vector<float> e = naive_matmul(x.to_vector_f32(), w.to_vector_f32(), rows, 48, 40, true);
      const std::vector<float> bs = b.to_vector_f32();
      for (size_t i = 0; i < e.size(); ++i) e[i] += bs[i % 40];
      return e;
    };
    require_close(linear(x, w, b), {2, rows / 2, 40}, expected());
    CHECK(cpu::linear_cached_weights() == 1);
    require_close(linear(x, w, b), {2, rows / 2, 40}, expected());
    CHECK(cpu::linear_cached_weights() == 1);  // the same copy
    // Written in place (every element, so the sampled ones change): packed again, the result follows.
    float* pw = w.data<float>();
    for (int64_t i = 0; i < w.numel(); ++i) pw[i] = -pw[i] + 0.25f;
    require_close(linear(x, w, b), {2, rows / 2, 40}, expected());
    CHECK(cpu::linear_cached_weights() == 1);
    // Fewer rows read the weight where it is: no copy.
    const Tensor few = random_tensor({rows - 1, 48}, 14);
    require_close(linear(few, w), {rows - 1, 40},
                  naive_matmul(few.to_vector_f32(), w.to_vector_f32(), rows - 1, 48, 40, true));
    CHECK(cpu::linear_cached_weights() == 1);
  }
  CHECK(cpu::linear_cached_weights() == 0);  // gone with its weight
}

TEST_CASE("linear's packed weights (rows padded to an odd number of cache lines) give the product for any width") {
  BackendGuard guard;
  cpu::set_gemm_backend(cpu::GemmBackend::kOneDnn);
  const int64_t rows = cpu::kPackedLinearMinRows + 3, k = 24;
  const Tensor x = random_tensor({rows, k}, 21);
  for (int64_t n : {1, 15, 16, 37, 64, 640}) {
    const Tensor w = random_tensor({n, k}, 22 + n);
    require_close(linear(x, w), {rows, n}, naive_matmul(x.to_vector_f32(), w.to_vector_f32(), rows, k, n, true));
  }
}
