// Takes of one prompt start from diffusers' num_waveforms_per_prompt noise:
// one torch.randn([N, C, T, F]) with torch.Generator("cpu").manual_seed(seed),
// take i its slice i. tensor::randn is torch's CPU randn bit for bit
// (tests/fixtures/randn), so slicing it is the reference here.

#include <catch2/catch.hpp>

#include <cstring>

#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/random.h"

namespace foley::models {
namespace {

using tensor::Shape;
using tensor::Tensor;

Tensor slice_of_batch(const Shape& one, uint64_t seed, int64_t n, int64_t take) {
  Shape all = one;
  all[0] = n;
  tensor::CpuGenerator generator(seed);
  return tensor::randn(all, generator).narrow(0, take, 1).clone();
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

TEST_CASE("take i is slice i of diffusers' N-waveform noise for every N > i (AudioLDM 2 shapes)", "[pipeline]") {
  // C·T·F a multiple of 16, as every AudioLDM 2 latent is (8 channels, 16 bins):
  // the full model at 10.24 s, a short cue, and the tiny test model.
  for (const Shape& one : {Shape{1, 8, 256, 16}, Shape{1, 8, 7, 16}, Shape{1, 8, 3, 16}}) {
    for (uint64_t seed : {0ULL, 42ULL, 196ULL}) {
      for (int64_t take = 0; take < 5; ++take) {
        const Tensor mine = take_noise(one, seed, take);
        for (int64_t n = take + 1; n <= 6; ++n) {
          INFO("shape T=" << one[2] << " seed " << seed << " take " << take << " of " << n);
          CHECK(same_bits(mine, slice_of_batch(one, seed, n, take)));
        }
      }
    }
  }
  // Take 0 is the one-take noise the pipeline always drew.
  tensor::CpuGenerator g(7);
  CHECK(same_bits(take_noise({1, 8, 5, 16}, 7, 0), tensor::randn({1, 8, 5, 16}, g)));
}

TEST_CASE("when a slice is not a multiple of 16 values, torch's redrawn tail makes the last take depend on N",
          "[pipeline]") {
  // torch's normal_fill redraws the buffer's last 16 values when its size is
  // not a multiple of 16: the last of N takes differs from the same take of
  // N + 1. foley's take i is slice i of the (i+1)-take draw: what diffusers
  // gives with N = i + 1, and unchanged when takes are added (no AudioLDM 2
  // checkpoint has such a shape).
  const Shape one{1, 3, 5, 3};  // 45 values
  const uint64_t seed = 42;
  CHECK(!same_bits(slice_of_batch(one, seed, 3, 2), slice_of_batch(one, seed, 4, 2)));
  for (int64_t take = 0; take < 4; ++take)
    CHECK(same_bits(take_noise(one, seed, take), slice_of_batch(one, seed, take + 1, take)));
}

TEST_CASE("a negative take is refused", "[pipeline]") {
  CHECK_THROWS(take_noise({1, 8, 3, 16}, 0, -1));
}

}  // namespace
}  // namespace foley::models
