#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "tensor/cpu/gemm.h"
#include "tensor/ops.h"
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
  // 4096 keys: the score budget (4M floats) gives blocks of 1024 queries -> 4 blocks per head.
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
