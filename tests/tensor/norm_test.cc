#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tensor/ops.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::require_close;

TEST_CASE("group_norm normalises each group and applies the per-channel affine") {
  const Tensor x = random_tensor({2, 12, 5, 3}, 1, -2, 5);
  const Tensor w = random_tensor({12}, 2);
  const Tensor b = random_tensor({12}, 3);
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32(), bv = b.to_vector_f32();
  const int groups = 4, cg = 3, spatial = 15;
  std::vector<float> expected(xv.size());
  for (int n = 0; n < 2; ++n)
    for (int g = 0; g < groups; ++g) {
      const size_t base = static_cast<size_t>((n * 12 + g * cg) * spatial);
      double mean = 0, var = 0;
      for (int i = 0; i < cg * spatial; ++i) mean += xv[base + static_cast<size_t>(i)];
      mean /= cg * spatial;
      for (int i = 0; i < cg * spatial; ++i) var += std::pow(xv[base + static_cast<size_t>(i)] - mean, 2);
      var /= cg * spatial;
      for (int i = 0; i < cg * spatial; ++i) {
        const int c = g * cg + i / spatial;
        expected[base + static_cast<size_t>(i)] =
            static_cast<float>((xv[base + static_cast<size_t>(i)] - mean) / std::sqrt(var + 1e-6) * wv[static_cast<size_t>(c)] +
                               bv[static_cast<size_t>(c)]);
      }
    }
  require_close(group_norm(x, groups, w, b, 1e-6), x.shape(), expected);
  // No affine = weight 1, bias 0; a 3-D input works too.
  const Tensor plain = group_norm(x.reshape({2, 12, 15}), groups, {}, {}, 1e-6);
  const Tensor ones = Tensor::full({12}, 1.0), zeros = Tensor::zeros({12});
  require_close(plain, {2, 12, 15}, group_norm(x, groups, ones, zeros, 1e-6).to_vector_f32());
  CHECK_THROWS_AS(group_norm(x, 5, w, b, 1e-5), foley::Error);
  CHECK_THROWS_AS(group_norm(x, 4, random_tensor({11}, 1), b, 1e-5), foley::Error);
}

TEST_CASE("layer_norm and rms_norm over the last dim") {
  const Tensor x = random_tensor({3, 7, 10}, 4, -3, 4);
  const Tensor w = random_tensor({10}, 5);
  const Tensor b = random_tensor({10}, 6);
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32(), bv = b.to_vector_f32();
  std::vector<float> ln(xv.size()), rms(xv.size());
  for (size_t r = 0; r < 21; ++r) {
    double mean = 0, var = 0, sq = 0;
    for (size_t i = 0; i < 10; ++i) mean += xv[r * 10 + i];
    mean /= 10;
    for (size_t i = 0; i < 10; ++i) {
      var += std::pow(xv[r * 10 + i] - mean, 2);
      sq += std::pow(xv[r * 10 + i], 2);
    }
    for (size_t i = 0; i < 10; ++i) {
      ln[r * 10 + i] = static_cast<float>((xv[r * 10 + i] - mean) / std::sqrt(var / 10 + 1e-12) * wv[i] + bv[i]);
      rms[r * 10 + i] = static_cast<float>(xv[r * 10 + i] / std::sqrt(sq / 10 + 1e-6) * wv[i]);
    }
  }
  require_close(layer_norm(x, w, b, 1e-12), x.shape(), ln);
  require_close(rms_norm(x, w, 1e-6), x.shape(), rms);
  // Half-precision weights (as stored in f16 checkpoints) are accepted.
  require_close(rms_norm(x, w.to(DType::kF16), 1e-6), x.shape(),
                rms_norm(x, w.to(DType::kF16).to(DType::kF32), 1e-6).to_vector_f32(), 0, 0);
  CHECK_THROWS_AS(layer_norm(x, random_tensor({9}, 1), b, 1e-5), foley::Error);
}

TEST_CASE("l2_normalize gives unit rows and leaves zero rows at zero") {
  const Tensor x = Tensor::from_vector(std::vector<float>{3, 4, 0, 0, 1, 0}, {3, 2});
  require_close(l2_normalize(x), {3, 2}, {0.6f, 0.8f, 0, 0, 1, 0});
  require_close(l2_normalize(x, 0), {3, 2}, {3 / std::sqrt(10.f), 1, 0, 0, 1 / std::sqrt(10.f), 0});
}

TEST_CASE("group_norm_silu equals silu(group_norm(x)) exactly, with and without affine") {
  // Odd spatial sizes exercise the vector tail; values spread over [-3, 3] reach both SiLU branches.
  for (const Shape& shape : std::vector<Shape>{{2, 8, 5, 7}, {1, 12, 33}, {3, 4, 1, 17}}) {
    const Tensor x = random_tensor(shape, 61, -3.0f, 3.0f);
    const Tensor w = random_tensor({shape[1]}, 62), b = random_tensor({shape[1]}, 63);
    INFO(x.to_string());
    CHECK(group_norm_silu(x, 4, w, b, 1e-6).to_vector_f32() == silu(group_norm(x, 4, w, b, 1e-6)).to_vector_f32());
    CHECK(group_norm_silu(x, 2, {}, {}, 1e-5).to_vector_f32() == silu(group_norm(x, 2, {}, {}, 1e-5)).to_vector_f32());
  }
  CHECK_THROWS_AS(group_norm_silu(random_tensor({1, 6, 4}, 64), 4, {}, {}, 1e-5), foley::Error);
}
