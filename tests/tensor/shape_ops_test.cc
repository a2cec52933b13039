#include <catch2/catch.hpp>

#include "common/error.h"
#include "tensor/ops.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;

namespace {
Tensor iota_f32(const Shape& shape) { return Tensor::arange(shape_numel(shape)).to(DType::kF32).reshape(shape); }
}  // namespace

TEST_CASE("cat along first, middle and last dims; stack; chunk") {
  const Tensor a = iota_f32({2, 2, 3});
  const Tensor b = add_scalar(iota_f32({2, 1, 3}), 100);
  const Tensor c = cat({a, b}, 1);
  REQUIRE(c.shape() == Shape{2, 3, 3});
  CHECK(c.to_vector_f32() ==
        std::vector<float>{0, 1, 2, 3, 4, 5, 100, 101, 102, 6, 7, 8, 9, 10, 11, 103, 104, 105});
  CHECK(cat({a, a}, 0).shape() == Shape{4, 2, 3});
  const Tensor last = cat({a, iota_f32({2, 2, 1})}, -1);
  CHECK(last.shape() == Shape{2, 2, 4});
  CHECK(last.select(2, 3).to_vector_f32() == std::vector<float>{0, 1, 2, 3});
  // Integer tensors concatenate as well (masks, ids).
  CHECK(cat({Tensor::arange(2), Tensor::arange(3)}, 0).to_vector_i64() == std::vector<int64_t>{0, 1, 0, 1, 2});
  CHECK_THROWS_AS(cat({a, iota_f32({2, 2, 4})}, 1), foley::Error);
  CHECK_THROWS_AS(cat({a, a.to(DType::kF16)}, 0), foley::Error);

  const Tensor s = stack({a, a}, 1);
  CHECK(s.shape() == Shape{2, 2, 2, 3});
  CHECK(stack({a, a}, -1).shape() == Shape{2, 2, 3, 2});
  const auto parts = chunk(iota_f32({2, 6}), 2, 1);
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].to_vector_f32() == std::vector<float>{3, 4, 5, 9, 10, 11});
  CHECK_THROWS_AS(chunk(iota_f32({2, 5}), 2, 1), foley::Error);
}

TEST_CASE("index_select and embedding") {
  const Tensor w = iota_f32({5, 3});
  const Tensor ids = Tensor::from_vector(std::vector<int64_t>{4, 0, 4, 2, 1, 1}, {2, 3});
  const Tensor e = embedding(w, ids);
  REQUIRE(e.shape() == Shape{2, 3, 3});
  CHECK(e.to_vector_f32() == std::vector<float>{12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8, 3, 4, 5, 3, 4, 5});
  CHECK(embedding(w, ids.to(DType::kI32)).to_vector_f32() == e.to_vector_f32());
  CHECK(index_select(w, 1, Tensor::from_vector(std::vector<int32_t>{2, 0})).to_vector_f32() ==
        std::vector<float>{2, 0, 5, 3, 8, 6, 11, 9, 14, 12});
  CHECK_THROWS_WITH(embedding(w, Tensor::from_vector(std::vector<int64_t>{5})), Catch::Contains("index 5"));
  CHECK_THROWS_AS(embedding(w, Tensor::from_vector(std::vector<int64_t>{-1})), foley::Error);
  // Half-precision embedding tables are gathered as stored.
  CHECK(embedding(w.to(DType::kF16), ids).dtype() == DType::kF16);
}

TEST_CASE("pad like F.pad: last dim first, negative crops, any value") {
  const Tensor x = iota_f32({2, 3});
  const Tensor p = pad(x, {1, 2});
  CHECK(p.shape() == Shape{2, 6});
  CHECK(p.to_vector_f32() == std::vector<float>{0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 0});
  const Tensor q = pad(x, {0, 0, 1, 0}, -1);
  CHECK(q.to_vector_f32() == std::vector<float>{-1, -1, -1, 0, 1, 2, 3, 4, 5});
  CHECK(pad(x, {-1, 0}).to_vector_f32() == std::vector<float>{1, 2, 4, 5});
  CHECK(pad(x, {0, 0, -1, 1}).to_vector_f32() == std::vector<float>{3, 4, 5, 0, 0, 0});
  CHECK(pad(Tensor::arange(3), {2, 0}, 1).to_vector_i64() == std::vector<int64_t>{1, 1, 0, 1, 2});
  CHECK_THROWS_AS(pad(x, {1}), foley::Error);
}

TEST_CASE("upsample_nearest2d: exact 2x and torch's floor rule for other sizes") {
  const Tensor x = iota_f32({1, 2, 2, 3});
  const Tensor y = upsample_nearest2d(x, 4, 6);
  REQUIRE(y.shape() == Shape{1, 2, 4, 6});
  const auto xv = x.to_vector_f32(), yv = y.to_vector_f32();
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 6; ++j) REQUIRE(yv[static_cast<size_t>((c * 4 + i) * 6 + j)] == xv[static_cast<size_t>((c * 2 + i / 2) * 3 + j / 2)]);
  // 3 -> 5 rows (the UNet's resize to an odd skip size): src = floor(dst * 3/5) = 0,0,1,1,2.
  const Tensor z = upsample_nearest2d(iota_f32({1, 1, 3, 1}), 5, 1);
  CHECK(z.to_vector_f32() == std::vector<float>{0, 0, 1, 1, 2});
  CHECK_THROWS_AS(upsample_nearest2d(iota_f32({2, 3}), 4, 4), foley::Error);
}
