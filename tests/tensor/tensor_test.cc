#include <catch2/catch.hpp>

#include <algorithm>

#include "common/error.h"
#include "tensor/device.h"
#include "tensor/tensor.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;

TEST_CASE("factories set shape, dtype and contents") {
  const Tensor z = Tensor::zeros({2, 3}, DType::kI64);
  CHECK(z.numel() == 6);
  CHECK(z.nbytes() == 48);
  CHECK(z.to_vector_i64() == std::vector<int64_t>(6, 0));
  const Tensor f = Tensor::full({4}, 2.5, DType::kF16);
  CHECK(f.to_vector_f32() == std::vector<float>(4, 2.5f));
  const Tensor v = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(v.size(-1) == 3);
  CHECK(v.to_string() == "f32[2, 3] cpu");
  CHECK(Tensor::arange(4).to_vector_i64() == std::vector<int64_t>{0, 1, 2, 3});
  CHECK_THROWS_AS(Tensor::from_vector(std::vector<float>{1, 2, 3}, {2, 2}), foley::Error);
  CHECK_THROWS_AS(Tensor::zeros({2, -1}), foley::Error);
  CHECK_FALSE(Tensor().defined());
  CHECK_THROWS_AS(v.data<int64_t>(), foley::Error);
}

TEST_CASE("reshape, unsqueeze, squeeze, flatten are views") {
  const Tensor x = random_tensor({2, 3, 4}, 1);
  const Tensor r = x.reshape({6, -1});
  CHECK(r.shape() == Shape{6, 4});
  CHECK(r.shares_storage(x));
  CHECK(x.unsqueeze(0).shape() == Shape{1, 2, 3, 4});
  CHECK(x.unsqueeze(-1).shape() == Shape{2, 3, 4, 1});
  CHECK(x.unsqueeze(1).squeeze(1).shape() == x.shape());
  CHECK(x.flatten(1).shape() == Shape{2, 12});
  CHECK(x.flatten().shape() == Shape{24});
  CHECK_THROWS_AS(x.reshape({5, -1}), foley::Error);
  CHECK_THROWS_AS(x.squeeze(0), foley::Error);
  CHECK_THROWS_AS(x.size(3), foley::Error);
}

TEST_CASE("narrow is a view on leading dims and a copy elsewhere") {
  const Tensor x = random_tensor({4, 3, 5}, 2);
  const std::vector<float> xs = x.to_vector_f32();
  const Tensor a = x.narrow(0, 1, 2);
  CHECK(a.shares_storage(x));
  CHECK(a.shape() == Shape{2, 3, 5});
  CHECK(a.to_vector_f32() == std::vector<float>(xs.begin() + 15, xs.begin() + 45));
  const Tensor b = x.narrow(2, 1, 3);
  CHECK_FALSE(b.shares_storage(x));
  const std::vector<float> bs = b.to_vector_f32();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) REQUIRE(bs[(i * 3 + j) * 3 + k] == xs[(i * 3 + j) * 5 + k + 1]);
  CHECK(x.narrow(1, -1, 1).shape() == Shape{4, 1, 5});
  CHECK_THROWS_AS(x.narrow(0, 3, 2), foley::Error);
  // A view of a view keeps its offset.
  CHECK(a.narrow(0, 1, 1).to_vector_f32() == std::vector<float>(xs.begin() + 30, xs.begin() + 45));
}

TEST_CASE("slice with steps and negative indices, select") {
  const Tensor x = Tensor::arange(10).to(DType::kF32).reshape({2, 5});
  CHECK(x.slice(1, 1, 5, 2).to_vector_f32() == std::vector<float>{1, 3, 6, 8});
  CHECK(x.slice(1, -2, 100).to_vector_f32() == std::vector<float>{3, 4, 8, 9});
  CHECK(x.slice(1, 4, 2).numel() == 0);
  CHECK(x.select(1, -1).to_vector_f32() == std::vector<float>{4, 9});
  CHECK(x.select(0, 1).shape() == Shape{5});
  CHECK_THROWS_AS(x.select(0, 2), foley::Error);
}

TEST_CASE("permute and transpose match index arithmetic") {
  const Tensor x = random_tensor({2, 3, 4, 5}, 3);
  const std::vector<float> xs = x.to_vector_f32();
  const Tensor p = x.permute({2, 0, 3, 1});
  REQUIRE(p.shape() == Shape{4, 2, 5, 3});
  const std::vector<float> ps = p.to_vector_f32();
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 5; ++d) REQUIRE(ps[((c * 2 + a) * 5 + d) * 3 + b] == xs[((a * 3 + b) * 4 + c) * 5 + d]);
  const Tensor t = x.transpose(1, -1).transpose(1, -1);
  CHECK(t.to_vector_f32() == xs);
  CHECK_THROWS_AS(x.permute({0, 0, 1, 2}), foley::Error);
  // Integer and half tensors permute too.
  const Tensor h = x.to(DType::kF16).permute({3, 2, 1, 0}).permute({3, 2, 1, 0});
  CHECK(h.to_vector_f32() == x.to(DType::kF16).to_vector_f32());
}

TEST_CASE("every permutation of shapes with size-1 dims and odd sizes matches index arithmetic") {
  // Covers the blocked batched-transpose path (e.g. [B, C, HW] <-> [B, HW, C], heads split and merged, sizes
  // that are not multiples of its 16 x 16 blocks, size-1 dims anywhere) and the generic loop.
  const std::vector<Shape> shapes = {{2, 37, 1, 19}, {1, 20, 33, 3}, {3, 1, 17, 1}, {5, 1, 40, 18}};
  uint32_t seed = 40;
  for (const Shape& shape : shapes) {
    const Tensor x = random_tensor(shape, seed++);
    const std::vector<float> xs = x.to_vector_f32();
    std::vector<int64_t> perm{0, 1, 2, 3};
    do {
      const Tensor y = x.permute(perm);
      const std::vector<float> ys = y.to_vector_f32();
      INFO("shape " << x.to_string() << " perm " << perm[0] << perm[1] << perm[2] << perm[3]);
      REQUIRE(y.shape() == Shape{shape[perm[0]], shape[perm[1]], shape[perm[2]], shape[perm[3]]});
      int64_t in_strides[4];
      for (int64_t i = 3, st = 1; i >= 0; --i) {
        in_strides[i] = st;
        st *= shape[i];
      }
      bool same = true;
      int64_t k = 0;
      for (int64_t a = 0; a < y.size(0); ++a)
        for (int64_t b = 0; b < y.size(1); ++b)
          for (int64_t c = 0; c < y.size(2); ++c)
            for (int64_t d = 0; d < y.size(3); ++d, ++k) {
              const int64_t src = a * in_strides[perm[0]] + b * in_strides[perm[1]] + c * in_strides[perm[2]] +
                                  d * in_strides[perm[3]];
              same = same && ys[k] == xs[src];
            }
      CHECK(same);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST_CASE("dtype conversion, clone and item") {
  const Tensor x = Tensor::from_vector(std::vector<float>{0.1f, -3.0f, 1e-6f}, {3});
  CHECK(x.to(DType::kF32).shares_storage(x));
  const Tensor h = x.to(DType::kBF16);
  CHECK(h.dtype() == DType::kBF16);
  CHECK(h.to(DType::kF32).to_vector_f32()[1] == -3.0f);
  Tensor c = x.clone();
  CHECK_FALSE(c.shares_storage(x));
  c.data<float>()[0] = 7;  // writing a clone leaves the original alone
  CHECK(x.to_vector_f32()[0] == 0.1f);
  CHECK(x.select(0, 1).item() == -3.0);
  CHECK_THROWS_AS(x.item(), foley::Error);
  CHECK_THROWS_AS(x.to(Device::cuda(0)), foley::Error);
}

TEST_CASE("Device parsing") {
  CHECK(Device::parse("cpu") == Device::cpu());
  CHECK(Device::parse("cuda").is_cuda());
  CHECK(Device::parse("cuda:3").index == 3);
  CHECK(Device::cuda(1).to_string() == "cuda:1");
  CHECK_THROWS_AS(Device::parse("gpu"), foley::Error);
  CHECK_THROWS_AS(Device::parse("cuda:x"), foley::Error);
  CHECK_THROWS_AS(Device::parse("cuda:-1"), foley::Error);
}
