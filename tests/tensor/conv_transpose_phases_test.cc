// Transposed 1-D convolution by phases (tensor/cpu/conv_transpose_phases.h): which shapes take it, the result
// against the scatter definition and oneDNN's deconvolution, and the cache of stacked weights.

#include <catch2/catch.hpp>

#include <cstdio>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_transpose_phases.h"
#include "tensor/ops.h"
#include "conv_test_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::deviation;
using foley::tensor::testing::Deviation;
using foley::tensor::testing::naive_conv_transpose1d;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::ScopedConvAlgorithm;
using foley::tensor::testing::widen;

TEST_CASE("conv_transpose1d by phases matches the scatter definition on HiFi-GAN upsampler shapes and others",
          "[conv][conv_transpose]") {
  struct Case {
    int64_t c_in, c_out, len, k;
    ConvTranspose1dOptions o;
    bool bias;
    int64_t batch;
  };
  // The HiFi-GAN upsamplers (stride 4 with 16 taps and padding 6, 2 with 8 and 4), stride 5 with 10 taps, output
  // padding, no padding, no bias, batch 2.
  const std::vector<Case> cases = {
      {64, 32, 70, 10, {5, 5, 0, 1, 1}, true, 1},  {48, 16, 81, 16, {4, 6, 0, 1, 1}, true, 2},
      {32, 16, 120, 8, {2, 3, 0, 1, 1}, false, 1}, {32, 16, 150, 4, {2, 1, 1, 1, 1}, true, 1},
      {40, 24, 66, 6, {3, 0, 2, 1, 1}, true, 2},   {32, 32, 90, 4, {2, 0, 0, 1, 1}, true, 1},
  };
  uint32_t seed = 1200;
  for (const Case& c : cases) {
    INFO("c_in " << c.c_in << " c_out " << c.c_out << " len " << c.len << " k " << c.k << " stride " << c.o.stride
                 << " padding " << c.o.padding << " output_padding " << c.o.output_padding << " batch " << c.batch);
    const Tensor x = random_tensor({c.batch, c.c_in, c.len}, seed++);
    const Tensor w = random_tensor({c.c_in, c.c_out, c.k}, seed++, -0.2f, 0.2f);
    const Tensor b = c.bias ? random_tensor({c.c_out}, seed++) : Tensor();
    REQUIRE(cpu::conv_transpose1d_by_phases_if_wanted(x, w, b, c.o).defined());
    int64_t out_len = 0;
    const std::vector<float> expected = naive_conv_transpose1d(x, w, b, c.o, out_len);
    const Tensor y = conv_transpose1d(x, w, b, c.o);
    REQUIRE(y.shape() == Shape{c.batch, c.c_out, out_len});
    Tensor direct;
    {
      ScopedConvAlgorithm a(cpu::ConvAlgorithm::kDirect);
      REQUIRE_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, w, b, c.o).defined());
      direct = conv_transpose1d(x, w, b, c.o);
    }
    const Deviation phases = deviation(y.to_vector_f32(), widen(expected));
    const Deviation dir = deviation(direct.to_vector_f32(), widen(expected));
    std::printf("conv_transpose1d by phases c%lld k%lld s%lld: nmse %.2e max_rel %.2e | direct nmse %.2e max_rel %.2e\n",
                static_cast<long long>(c.c_in), static_cast<long long>(c.k), static_cast<long long>(c.o.stride),
                phases.nmse, phases.max_rel, dir.nmse, dir.max_rel);
    // Measured: nmse 9e-14 .. 3.8e-13, max_rel 7.3e-7 .. 1.4e-6 (1-D Winograd's rounding; oneDNN's
    // deconvolution on the same cases: nmse 5e-15 .. 1.7e-14). Bounds ~2.5x and ~3.5x the worst.
    CHECK(phases.nmse < 1e-12);
    CHECK(phases.max_rel < 5e-6);
  }
}

TEST_CASE("conv_transpose1d takes the phase path only for ungrouped, undilated, strided, wide enough shapes",
          "[conv][conv_transpose]") {
  const Tensor x = random_tensor({1, 32, 100}, 1), w = random_tensor({32, 16, 8}, 2);
  CHECK(cpu::conv_transpose1d_by_phases_if_wanted(x, w, {}, {2, 3, 0, 1, 1}).defined());
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, w, {}, {1, 3, 0, 1, 1}).defined());  // stride 1
  // A kernel not a multiple of the stride (phases of unequal taps: HiFi-GAN's stride 5 with 16 taps).
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, random_tensor({32, 16, 16}, 10), {}, {5, 5, 0, 1, 1})
                  .defined());
  // One tap per phase (kernel = stride): each phase a plain product, nothing for Winograd to save.
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, random_tensor({32, 16, 2}, 9), {}, {2, 0, 0, 1, 1})
                  .defined());
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, w, {}, {2, 3, 0, 2, 1}).defined());  // dilation
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, random_tensor({32, 8, 8}, 3), {}, {2, 3, 0, 1, 2})
                  .defined());  // groups
  // 2 phases x 8 outputs = 16 stacked channels: below the 1-D Winograd path's 32.
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, random_tensor({32, 8, 8}, 4), {}, {2, 3, 0, 1, 1})
                  .defined());
  // A bias of the wrong size is left to conv_transpose1d's own error.
  CHECK_FALSE(cpu::conv_transpose1d_by_phases_if_wanted(x, w, random_tensor({3}, 5), {2, 3, 0, 1, 1}).defined());
  CHECK_THROWS_WITH(conv_transpose1d(x, w, random_tensor({3}, 5), {2, 3, 0, 1, 1}),
                    Catch::Contains("conv_transpose1d") && Catch::Contains("bias"));
}

TEST_CASE("conv_transpose1d by phases stacks a weight once and again after it is written in place",
          "[conv][conv_transpose]") {
  cpu::clear_conv_cache();
  const Tensor x = random_tensor({1, 32, 64}, 7);
  Tensor w = random_tensor({32, 16, 8}, 8);
  const ConvTranspose1dOptions o{2, 3, 0, 1, 1};
  const auto first = conv_transpose1d(x, w, {}, o).to_vector_f32();
  CHECK(cpu::conv_transpose_phase_cached_weights() == 1);
  CHECK(conv_transpose1d(x, w, {}, o).to_vector_f32() == first);
  CHECK(cpu::conv_transpose_phase_cached_weights() == 1);
  // Written in place: the stale stacking would give the old result.
  float* pw = w.data<float>();
  for (int64_t i = 0; i < w.numel(); ++i) pw[i] *= -0.5f;
  int64_t out_len = 0;
  const auto expected = naive_conv_transpose1d(x, w, {}, o, out_len);
  CHECK(deviation(conv_transpose1d(x, w, {}, o).to_vector_f32(), widen(expected)).nmse < 1e-12);
  cpu::clear_conv_cache();
  CHECK(cpu::conv_transpose_phase_cached_weights() == 0);
}
