// CUDA vs CPU attention. The tensor-core path rounds Q, K, V and the
// probabilities P to bf16 (u = 2^-8) and keeps the softmax statistics and
// accumulators in f32: expected NMSE ~1e-5; threshold 5e-4 (ggml's for
// attention), which any indexing/masking bug exceeds by orders of magnitude.
// The memory-efficient path is f32 throughout: threshold 1e-9.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "cuda_test_util.h"
#include "kernels/attention.h"

using namespace foley::tensor;
using namespace foley::tensor::cuda_testing;

namespace {
constexpr double kTensorCoreNmse = 5e-4;
constexpr double kGenericNmse = 1e-9;

// Additive padding mask [b, 1, 1, lk]: the last `masked` keys of batch 1 get -10000 (as the UNet's T5 mask).
Tensor padding_mask(int64_t b, int64_t lk, int64_t masked) {
  std::vector<float> values(static_cast<size_t>(b * lk), 0.0f);
  for (int64_t bi = 1; bi < b; ++bi)
    for (int64_t j = lk - masked; j < lk; ++j) values[static_cast<size_t>(bi * lk + j)] = -10000.0f;
  return Tensor::from_vector(values, {b, 1, 1, lk});
}

struct Case {
  int64_t b, h, lq, lk, d;
  bool causal;
  int bias;  // 0 none, 1 padding mask [B,1,1,Lk], 2 relative-position bias [1,H,Lq,Lk]
};

std::string describe(const Case& c) {
  return "b" + std::to_string(c.b) + " h" + std::to_string(c.h) + " lq" + std::to_string(c.lq) + " lk" +
         std::to_string(c.lk) + " d" + std::to_string(c.d) + (c.causal ? " causal" : "") +
         (c.bias == 1 ? " mask" : c.bias == 2 ? " relbias" : "");
}

void run_case(const Case& c, uint32_t seed, bool generic) {
  const Tensor q = random_tensor({c.b, c.h, c.lq, c.d}, seed, -2.0f, 2.0f);
  const Tensor k = random_tensor({c.b, c.h, c.lk, c.d}, seed + 1, -2.0f, 2.0f);
  const Tensor v = random_tensor({c.b, c.h, c.lk, c.d}, seed + 2);
  AttentionOptions o;
  o.causal = c.causal;
  if (c.bias == 1) o.bias = padding_mask(c.b, c.lk, c.lk / 3);
  if (c.bias == 2) o.bias = random_tensor({1, c.h, c.lq, c.lk}, seed + 3, -3.0f, 3.0f);
  const Tensor expected = attention(q, k, v, o);
  AttentionOptions od = o;
  od.bias = up(o.bias);
  const Tensor got = generic ? cuda::attention_generic(up(q), up(k), up(v), od) : cuda::attention(up(q), up(k), up(v), od);
  require_nmse(got, expected, generic ? kGenericNmse : kTensorCoreNmse,
               (generic ? "generic " : "tensor-core ") + describe(c));
}
}  // namespace

TEST_CASE("tensor-core attention matches the CPU (UNet and text-encoder head dims, odd lengths, masks, causal)") {
  const Case cases[] = {
      {2, 8, 130, 130, 32, false, 0},  // UNet self-attention, lengths not multiples of 64
      {2, 8, 37, 77, 48, false, 1},    // cross-attention to masked T5 states
      {1, 8, 256, 8, 80, false, 0},    // cross-attention to the 8 GPT-2 vectors
      {2, 16, 77, 77, 64, false, 2},   // T5 self-attention with relative-position bias
      {1, 12, 9, 9, 64, true, 0},      // GPT-2 prompt, causal
      {1, 12, 1, 17, 64, true, 0},     // GPT-2 step with a KV cache (aligned to the end of the keys)
      {2, 4, 1, 1, 16, false, 0},      // degenerate single key
  };
  uint32_t seed = 900;
  for (const Case& c : cases) {
    foley::kernels::AttentionParams p;
    p.d = p.dv = static_cast<int>(c.d);
    CHECK(foley::kernels::attention_uses_tensor_cores(p));
    run_case(c, seed, false);
    seed += 4;
  }
}

TEST_CASE("memory-efficient attention matches the CPU (VAE single 512-wide head, odd head dims)") {
  const Case cases[] = {
      {1, 1, 300, 300, 512, false, 0},  // VAE mid-block attention (one head, 512 channels)
      {2, 3, 19, 23, 40, false, 1},     // head dim not a multiple of 16
      {2, 8, 70, 70, 32, false, 2},     // same shapes as the tensor-core path, forced generic
      {1, 2, 5, 12, 24, true, 0},
  };
  uint32_t seed = 1000;
  for (const Case& c : cases) {
    run_case(c, seed, true);
    seed += 4;
  }
  // Odd head dims take the generic path through the public entry point too.
  run_case({1, 2, 33, 33, 40, false, 0}, seed, false);
}

TEST_CASE("attention rejects mismatched shapes on the device") {
  const Tensor q = up(random_tensor({1, 2, 4, 32}, 1)), k = up(random_tensor({1, 2, 5, 16}, 2)),
               v = up(random_tensor({1, 2, 5, 32}, 3));
  CHECK_THROWS_WITH(cuda::attention(q, k, v), Catch::Contains("do not match"));
}
