#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "tensor/cpu/gemm.h"
#include "tensor/ops.h"
#include "isa_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::require_close;

namespace {

// softmax(q k^T * scale + bias + causal) v, in double, bias broadcast per dim.
std::vector<float> naive_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias, double scale,
                                   bool causal) {
  const int64_t b = q.size(0), h = q.size(1), lq = q.size(2), d = q.size(3), lk = k.size(2), dv = v.size(3);
  const auto qv = q.to_vector_f32(), kv = k.to_vector_f32(), vv = v.to_vector_f32();
  const auto bv = bias.defined() ? bias.to_vector_f32() : std::vector<float>{};
  std::vector<float> out;
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t i = 0; i < lq; ++i) {
        std::vector<double> s(static_cast<size_t>(lk));
        double mx = -1e300;
        for (int64_t j = 0; j < lk; ++j) {
          double acc = 0;
          for (int64_t p = 0; p < d; ++p)
            acc += static_cast<double>(qv[static_cast<size_t>(((bi * h + hi) * lq + i) * d + p)]) *
                   kv[static_cast<size_t>(((bi * h + hi) * lk + j) * d + p)];
          acc *= scale;
          if (bias.defined()) {
            const int64_t b0 = bias.size(0) == 1 ? 0 : bi, b1 = bias.size(1) == 1 ? 0 : hi,
                          b2 = bias.size(2) == 1 ? 0 : i;
            acc += bv[static_cast<size_t>(((b0 * bias.size(1) + b1) * bias.size(2) + b2) * lk + j)];
          }
          if (causal && j > lk - lq + i) acc = -INFINITY;
          s[static_cast<size_t>(j)] = acc;
          mx = std::max(mx, acc);
        }
        double total = 0;
        for (double& x : s) total += (x = std::exp(x - mx));
        for (int64_t c = 0; c < dv; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < lk; ++j)
            acc += s[static_cast<size_t>(j)] / total * vv[static_cast<size_t>(((bi * h + hi) * lk + j) * dv + c)];
          out.push_back(static_cast<float>(acc));
        }
      }
  return out;
}

}  // namespace

TEST_CASE("attention with default scale, custom scale, bias broadcast and causal masks") {
  const cpu::GemmBackend saved = cpu::gemm_backend();
  for (auto backend : {cpu::GemmBackend::kOneDnn, cpu::GemmBackend::kOpenBlas}) {
    cpu::set_gemm_backend(backend);
    INFO(cpu::gemm_backend_name(backend));
    const Tensor q = random_tensor({2, 3, 5, 8}, 1);
    const Tensor k = random_tensor({2, 3, 7, 8}, 2);
    const Tensor v = random_tensor({2, 3, 7, 4}, 3);
    require_close(attention(q, k, v), {2, 3, 5, 4}, naive_attention(q, k, v, {}, 1 / std::sqrt(8.0), false));

    AttentionOptions t5;  // T5: no scaling, relative bias [1, H, Lq, Lk] plus padding mask [B, 1, 1, Lk]
    t5.scale = 1.0;
    const Tensor rel = random_tensor({1, 3, 5, 7}, 4, -2, 2);
    Tensor mask = Tensor::zeros({2, 1, 1, 7});
    mask.data<float>()[6] = std::numeric_limits<float>::lowest();
    mask.data<float>()[7 + 5] = -10000.0f;
    t5.bias = add(rel, mask);
    require_close(attention(q, k, v, t5), {2, 3, 5, 4}, naive_attention(q, k, v, t5.bias, 1.0, false));
    AttentionOptions masked;
    masked.bias = mask;
    require_close(attention(q, k, v, masked), {2, 3, 5, 4}, naive_attention(q, k, v, mask, 1 / std::sqrt(8.0), false));

    AttentionOptions causal;  // GPT-2 with a KV cache: 5 new queries after 2 cached keys
    causal.causal = true;
    require_close(attention(q, k, v, causal), {2, 3, 5, 4}, naive_attention(q, k, v, {}, 1 / std::sqrt(8.0), true));
    const Tensor sq = random_tensor({1, 2, 6, 8}, 5);
    require_close(attention(sq, sq, sq, causal), {1, 2, 6, 8}, naive_attention(sq, sq, sq, {}, 1 / std::sqrt(8.0), true));
    // The first query of a square causal attention sees only itself.
    const auto out = attention(sq, sq, sq, causal).to_vector_f32();
    const auto sv = sq.to_vector_f32();
    for (int c = 0; c < 8; ++c) CHECK(out[static_cast<size_t>(c)] == Approx(sv[static_cast<size_t>(c)]).margin(1e-6));
  }
  cpu::set_gemm_backend(saved);
  AttentionOptions bad;
  bad.bias = random_tensor({2, 3, 5, 6}, 1);
  CHECK_THROWS_AS(attention(random_tensor({2, 3, 5, 8}, 1), random_tensor({2, 3, 7, 8}, 2),
                            random_tensor({2, 3, 7, 4}, 3), bad),
                  foley::Error);
  CHECK_THROWS_AS(attention(random_tensor({1, 1, 5, 8}, 1), random_tensor({1, 1, 4, 8}, 2),
                            random_tensor({1, 1, 4, 8}, 3), AttentionOptions{NAN, {}, true}),
                  foley::Error);
}

TEST_CASE("attention over a long sequence splits queries into blocks and stays exact") {
  // 4096 keys: several query blocks per head and eight key blocks per row.
  const Tensor q = random_tensor({1, 1, 4096, 16}, 10);
  const Tensor k = random_tensor({1, 1, 4096, 16}, 11);
  const Tensor v = random_tensor({1, 1, 4096, 16}, 12);
  const Tensor y = attention(q, k, v);
  // Check a sample of rows against the naive formula on that row only.
  const auto yv = y.to_vector_f32();
  for (int64_t row : {0, 1023, 1024, 2500, 4095}) {
    const Tensor qr = q.narrow(2, row, 1);
    const auto ref = naive_attention(qr, k, v, {}, 0.25, false);
    const std::vector<float> got(yv.begin() + row * 16, yv.begin() + (row + 1) * 16);
    CHECK(foley::tensor::testing::closeness(got, ref, 1e-5, 1e-4) <= 1.0);
  }
}

namespace {

// Runs `body` once per kernel path this CPU has (scalar always, AVX2 and AVX-512 when present).
template <typename Body>
void for_each_attention_isa(Body&& body) {
  foley::tensor::testing::for_each_cpu_isa([&](cpu::Isa) { body(); });
}

}  // namespace

TEST_CASE("attention kernels match the double-precision formula for small and real head dims") {
  struct Case {
    int64_t b, h, lq, lk, d, dv;
    bool causal, bias;
  };
  // Small heads (D, Dv <= 4: every compiled-in dim, D != Dv at run time) and GEMM heads (dims from 5 up, the base
  // UNet's 32/48/80 among them), with query and key counts off the block sizes, key counts past one softmax block
  // (512 small, 1024 GEMM).
  const Case cases[] = {
      {2, 8, 70, 70, 2, 2, false, false},   {1, 1, 300, 700, 1, 1, false, true},  {1, 3, 130, 33, 3, 3, false, true},
      {2, 2, 40, 520, 4, 4, true, false},   {1, 2, 129, 129, 8, 8, true, true},   {1, 1, 200, 1030, 16, 16, false, false},
      {1, 2, 17, 45, 5, 5, false, true},    {1, 2, 9, 19, 4, 6, false, false},    {2, 8, 100, 8, 32, 32, false, false},
      {2, 8, 65, 32, 48, 48, false, true},  {1, 2, 70, 1100, 80, 80, false, true}, {1, 1, 1100, 1100, 24, 24, true, false},
      {1, 4, 1, 40, 20, 20, true, false},   {1, 1, 3, 2000, 17, 9, false, true},  {1, 2, 21, 600, 3, 2, false, true},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    INFO("B " << c.b << " H " << c.h << " Lq " << c.lq << " Lk " << c.lk << " D " << c.d << " Dv " << c.dv
              << (c.causal ? " causal" : "") << (c.bias ? " bias" : ""));
    // Scores spread over several units so the running maximum moves between key blocks.
    const Tensor q = random_tensor({c.b, c.h, c.lq, c.d}, ++seed, -2, 2);
    const Tensor k = random_tensor({c.b, c.h, c.lk, c.d}, ++seed, -2, 2);
    const Tensor v = random_tensor({c.b, c.h, c.lk, c.dv}, ++seed);
    AttentionOptions o;
    o.causal = c.causal;
    if (c.bias) o.bias = random_tensor({c.b, 1, c.lq, c.lk}, ++seed, -3, 3);
    const auto expected = naive_attention(q, k, v, o.bias, 1 / std::sqrt(static_cast<double>(c.d)), c.causal);
    for_each_attention_isa([&] {
      const Tensor got = attention(q, k, v, o);
      REQUIRE(shape_to_string(got.shape()) == shape_to_string({c.b, c.h, c.lq, c.dv}));
      // ~1e-6 relative: float sums of up to 2000 terms.
      CHECK(foley::tensor::testing::closeness(got.to_vector_f32(), expected, 1e-6, 1e-5) <= 1.0);
    });
  }
}

TEST_CASE("attention kernels rescale when a later key block holds the maximum") {
  // Scores rise along the keys (k_j = j/100 against q = 1, scale 1): every key block has a larger maximum than the
  // last, so the output accumulated so far must be rescaled, and an early block's weights end near zero.
  for (int64_t d : {2, 40}) {
    const int64_t lk = 2100;
    std::vector<float> kv(static_cast<size_t>(lk * d), 0.0f);
    for (int64_t j = 0; j < lk; ++j) kv[static_cast<size_t>(j * d)] = static_cast<float>(j) / 100.0f;
    const Tensor k = Tensor::from_vector(kv, {1, 1, lk, d});
    const Tensor q = Tensor::full({1, 1, 3, d}, 1.0);
    const Tensor v = random_tensor({1, 1, lk, 3}, 7);
    AttentionOptions o;
    o.scale = 1.0;
    const auto expected = naive_attention(q, k, v, {}, 1.0, false);
    for_each_attention_isa([&] {
      INFO("D " << d);
      CHECK(foley::tensor::testing::closeness(attention(q, k, v, o).to_vector_f32(), expected, 1e-6, 1e-5) <= 1.0);
    });
  }
}

TEST_CASE("small-head attention: rows whose scores span more than exp2's range weigh far keys as 0, exactly") {
  // Queries of norm ~60 against keys in [-2, 2]: a row's scores span up to ~240 (natural log units), so the far keys'
  // e^(s - max) underflow. The kernel proves most rows of ordinary attention in exp2's range and skips the clamp
  // there; these rows must keep it (an unclamped exponent below -126 wraps into huge weights).
  for (int64_t d : {1, 2, 3, 4}) {
    const Tensor q = random_tensor({1, 2, 40, d}, 11 + static_cast<uint32_t>(d), -60, 60);
    const Tensor k = random_tensor({1, 2, 300, d}, 21 + static_cast<uint32_t>(d), -2, 2);
    const Tensor v = random_tensor({1, 2, 300, 3}, 31 + static_cast<uint32_t>(d));
    AttentionOptions o;
    o.scale = 1.0;
    const auto expected = naive_attention(q, k, v, {}, 1.0, false);
    for_each_attention_isa([&] {
      INFO("D " << d);
      // Scores of ~200 carry float rounding of ~2e-5 into the exponent: the scalar path lands at the same error.
      CHECK(foley::tensor::testing::closeness(attention(q, k, v, o).to_vector_f32(), expected, 1e-4, 1e-4) <= 1.0);
    });
  }
}

TEST_CASE("attention kernels: a row masked everywhere by finfo.min averages v, as torch does") {
  for (int64_t d : {4, 32}) {
    const Tensor q = random_tensor({1, 2, 6, d}, 1);
    const Tensor k = random_tensor({1, 2, 600, d}, 2);
    const Tensor v = random_tensor({1, 2, 600, 4}, 3);
    AttentionOptions o;
    o.bias = Tensor::full({1, 1, 1, 600}, static_cast<double>(std::numeric_limits<float>::lowest()));
    std::vector<float> mean_v;
    const auto vv = v.to_vector_f32();
    for (int64_t hi = 0; hi < 2; ++hi)
      for (int64_t i = 0; i < 6; ++i)
        for (int64_t c = 0; c < 4; ++c) {
          double s = 0;
          for (int64_t j = 0; j < 600; ++j) s += vv[static_cast<size_t>((hi * 600 + j) * 4 + c)];
          mean_v.push_back(static_cast<float>(s / 600));
        }
    for_each_attention_isa([&] {
      INFO("D " << d);
      CHECK(foley::tensor::testing::closeness(attention(q, k, v, o).to_vector_f32(), mean_v, 1e-6, 1e-5) <= 1.0);
    });
  }
}

TEST_CASE("attention kernels: keys masked by -inf weigh exactly 0, even against values of 1e38") {
  // Every third key masked; their values are 1e38, so a weight of even 2^-120 there would swamp the output.
  for (int64_t d : {4, 32}) {
    const int64_t lq = 20, lk = 90;
    const Tensor q = random_tensor({1, 2, lq, d}, 31, -2, 2), k = random_tensor({1, 2, lk, d}, 32, -2, 2);
    std::vector<float> vv = random_tensor({1, 2, lk, 3}, 33).to_vector_f32(), bv(static_cast<size_t>(lq * lk), 0.0f);
    for (int64_t j = 0; j < lk; j += 3) {
      for (int64_t i = 0; i < lq; ++i) bv[static_cast<size_t>(i * lk + j)] = -INFINITY;
      for (int64_t hi = 0; hi < 2; ++hi)
        for (int64_t c = 0; c < 3; ++c) vv[static_cast<size_t>((hi * lk + j) * 3 + c)] = 1e38f;
    }
    const Tensor v = Tensor::from_vector(vv, {1, 2, lk, 3});
    AttentionOptions o;
    o.bias = Tensor::from_vector(bv, {1, 1, lq, lk});
    const auto expected = naive_attention(q, k, v, o.bias, 1 / std::sqrt(static_cast<double>(d)), false);
    for_each_attention_isa([&] {
      INFO("D " << d);
      CHECK(foley::tensor::testing::closeness(attention(q, k, v, o).to_vector_f32(), expected, 1e-6, 1e-5) <= 1.0);
    });
  }
}

TEST_CASE("the vector and scalar attention paths agree, and no keys give zeros") {
  const Tensor q = random_tensor({2, 4, 50, 2}, 21), k = random_tensor({2, 4, 900, 2}, 22),
               v = random_tensor({2, 4, 900, 2}, 23);
  std::vector<float> scalar;
  {
    foley::tensor::testing::IsaScope scope(cpu::Isa::kScalar);
    scalar = attention(q, k, v).to_vector_f32();
  }
  CHECK(foley::tensor::testing::closeness(attention(q, k, v).to_vector_f32(), scalar, 1e-6, 1e-5) <= 1.0);
  for_each_attention_isa([&] {
    const auto empty = attention(random_tensor({1, 1, 3, 4}, 1), Tensor::zeros({1, 1, 0, 4}),
                                 Tensor::zeros({1, 1, 0, 2}))
                           .to_vector_f32();
    REQUIRE(empty.size() == 6);
    for (float x : empty) CHECK(x == 0.0f);
  });
}
