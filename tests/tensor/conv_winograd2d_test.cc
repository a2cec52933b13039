// The 2-D Winograd convolution F(4x4, 3x3) (tensor/cpu/conv_winograd2d.h): against a double-precision
// definition on every kernel path it serves (below AVX-512), where conv2d sends it, and its weight cache.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_winograd2d.h"
#include "tensor/cpu/isa.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/ops.h"
#include "isa_util.h"
#include "conv_test_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::deviation;
using foley::tensor::testing::Deviation;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::ScopedConvAlgorithm;

namespace {

// y = conv2d(x, w) + b in double (3x3, stride 1, groups 1, zero padding ph / pw).
std::vector<double> reference_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t ph, int64_t pw) {
  const int64_t n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3), cout = w.size(0);
  const int64_t oh = h + 2 * ph - 2, ow = wd + 2 * pw - 2;
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32(), bv = b.to_vector_f32();
  std::vector<double> out(static_cast<size_t>(n * cout * oh * ow));
  for (int64_t img = 0; img < n; ++img)
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = bv[static_cast<size_t>(co)];
          for (int64_t ci = 0; ci < cin; ++ci)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 3; ++j) {
                const int64_t y = oy - ph + i, xx = ox - pw + j;
                if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
                acc += static_cast<double>(xv[static_cast<size_t>(((img * cin + ci) * h + y) * wd + xx)]) *
                       wv[static_cast<size_t>(((co * cin + ci) * 3 + i) * 3 + j)];
              }
          out[static_cast<size_t>(((img * cout + co) * oh + oy) * ow + ox)] = acc;
        }
  return out;
}

// Lowers winograd2d_min_tiles() for a scope.
class MinTilesScope {
 public:
  explicit MinTilesScope(int64_t tiles) { cpu::set_winograd2d_min_tiles(tiles); }
  ~MinTilesScope() { cpu::set_winograd2d_min_tiles(saved_); }
  MinTilesScope(const MinTilesScope&) = delete;
  MinTilesScope& operator=(const MinTilesScope&) = delete;

 private:
  int64_t saved_ = cpu::winograd2d_min_tiles();
};

}  // namespace

TEST_CASE("Winograd conv2d takes layers with enough output tiles: the UNet's 64x4 and 32x2 planes, not a 16x4 one",
          "[conv][winograd]") {
  testing::IsaScope scope(cpu::Isa::kScalar);  // the path's ISAs: every machine has scalar
  REQUIRE(cpu::winograd2d_min_tiles() == cpu::kWinograd2dMinTiles);
  CHECK(cpu::winograd2d_wanted(256, 256, 3, 3, 1, 1, 1, 1, 1, 2, 128, 8));  // 2 x 32 x 2 = 128 tiles
  CHECK(cpu::winograd2d_wanted(384, 384, 3, 3, 1, 1, 1, 1, 1, 2, 64, 4));   // 2 x 16 x 1 = 32
  CHECK(cpu::winograd2d_wanted(128, 128, 3, 3, 1, 1, 1, 1, 1, 1, 32, 4));   // 8
  CHECK(cpu::winograd2d_wanted(640, 640, 3, 3, 1, 1, 1, 1, 1, 2, 32, 2));   // 2 x 8 x 1 narrow 4x2 tiles = 16
  CHECK_FALSE(cpu::winograd2d_wanted(640, 640, 3, 3, 1, 1, 1, 1, 1, 2, 32, 3));  // 3 wide: neither tile fits
  CHECK_FALSE(cpu::winograd2d_wanted(384, 384, 3, 3, 1, 1, 1, 1, 1, 1, 16, 4));  // 4
  MinTilesScope tiles(1);
  CHECK(cpu::winograd2d_wanted(384, 384, 3, 3, 1, 1, 1, 1, 1, 1, 16, 4));
}

TEST_CASE("Winograd conv2d matches the definition on every path (oneDNN's own on AVX-512 for larger planes)", "[conv][winograd]") {
  MinTilesScope tiles(1);  // small planes, to cover partial tiles cheaply
  struct Case {
    int64_t batch, c_in, c_out, h, w, pad_h, pad_w;
  };
  // VAE/UNet-like same padding, planes that are not multiples of the 4x4 tile, no padding, unequal padding, C_in !=
  // C_out, batch 2, and a tall narrow plane that takes several bands of tile rows (the last one partial).
  // Planes 2 wide take narrow 4x2 tiles: the UNet's 32x2, one with no column padding, one with partial tile rows.
  const std::vector<Case> cases = {{1, 32, 32, 16, 16, 1, 1}, {2, 32, 48, 17, 13, 1, 1}, {1, 40, 32, 9, 23, 0, 0},
                                   {2, 32, 32, 10, 7, 2, 0},  {1, 32, 32, 301, 16, 1, 1}, {2, 32, 32, 32, 2, 1, 1},
                                   {1, 40, 32, 9, 4, 1, 0},   {2, 32, 48, 11, 2, 0, 1}};
  uint32_t seed = 1200;
  testing::for_each_cpu_isa([&](cpu::Isa isa) {
    for (const Case& c : cases) {
      const int64_t oh = c.h + 2 * c.pad_h - 2, ow = c.w + 2 * c.pad_w - 2;
      INFO("batch " << c.batch << " c_in " << c.c_in << " c_out " << c.c_out << " " << c.h << "x" << c.w << " pad "
                    << c.pad_h << "," << c.pad_w);
      // On AVX-512 only planes of at most 16 tiles per image (oneDNN's Winograd runs the others).
      const int64_t tile_w = ow == 2 ? 2 : 4, image_tiles = ((oh + 3) / 4) * ((ow + tile_w - 1) / tile_w);
      CHECK(cpu::winograd2d_wanted(c.c_in, c.c_out, 3, 3, 1, 1, 1, 1, 1, c.batch, oh, ow) ==
            (isa < cpu::Isa::kAvx512 || image_tiles <= 16));
      const Tensor x = random_tensor({c.batch, c.c_in, c.h, c.w}, seed++);
      const Tensor w = random_tensor({c.c_out, c.c_in, 3, 3}, seed++, -0.1f, 0.1f);
      const Tensor b = random_tensor({c.c_out}, seed++);
      Conv2dOptions o;
      o.padding_h = c.pad_h;
      o.padding_w = c.pad_w;
      const Tensor y = conv2d(x, w, b, o);
      REQUIRE(y.shape() == Shape{c.batch, c.c_out, oh, ow});
      const auto ref = reference_conv2d(x, w, b, c.pad_h, c.pad_w);
      Tensor direct;
      {
        ScopedConvAlgorithm a(cpu::ConvAlgorithm::kDirect);
        direct = conv2d(x, w, b, o);
      }
      const Deviation d = deviation(y.to_vector_f32(), ref), dir = deviation(direct.to_vector_f32(), ref);
      std::printf("winograd2d %s %lldx%lld c%lld: nmse %.2e max_rel %.2e | direct nmse %.2e max_rel %.2e\n",
                  std::string(cpu::isa_name(isa)).c_str(), static_cast<long long>(c.h), static_cast<long long>(c.w),
                  static_cast<long long>(c.c_in), d.nmse, d.max_rel, dir.nmse, dir.max_rel);
      // Measured: nmse 5.4e-13 .. 9.0e-13, max_rel 2.3e-6 .. 5.2e-6 (the transforms' rounding: F(4x4, 3x3)
      // multiplies by up to 8 and 1/24); direct convolution on the same cases: nmse 1.8e-14 .. 4.1e-14,
      // max_rel 1.7e-7 .. 5.9e-7. Bounds ~5x the worst.
      CHECK(d.nmse < 5e-12);
      CHECK(d.max_rel < 2.5e-5);
    }
  });
}

TEST_CASE("On AVX-512, Winograd conv2d takes small planes only: the UNet's 64x4 and 32x8, not its 64x8 or 128x8",
          "[conv][winograd]") {
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx512) {
    WARN("skipped: no AVX-512 here (the CPU, or FOLEY_CPU_ISA)");
    return;
  }
  testing::IsaScope scope(cpu::Isa::kAvx512);
  CHECK(cpu::winograd2d_wanted(384, 384, 3, 3, 1, 1, 1, 1, 1, 2, 64, 4));   // 16 tiles per image
  CHECK(cpu::winograd2d_wanted(640, 640, 3, 3, 1, 1, 1, 1, 1, 2, 32, 8));   // 16
  CHECK_FALSE(cpu::winograd2d_wanted(384, 384, 3, 3, 1, 1, 1, 1, 1, 2, 64, 8));   // 32
  CHECK_FALSE(cpu::winograd2d_wanted(256, 256, 3, 3, 1, 1, 1, 1, 1, 1, 128, 8));  // 64
  testing::IsaScope avx2(cpu::Isa::kAvx2);
  CHECK(cpu::winograd2d_wanted(256, 256, 3, 3, 1, 1, 1, 1, 1, 1, 128, 8));
}

TEST_CASE("Winograd conv2d transforms a weight once and again after it is written in place", "[conv][winograd]") {
  testing::IsaScope scope(cpu::Isa::kScalar);  // every machine has the scalar path, which takes Winograd
  MinTilesScope tiles(1);
  REQUIRE(cpu::winograd2d_wanted(32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 12, 12));
  cpu::clear_conv_cache();
  const Tensor x = random_tensor({1, 32, 12, 12}, 1300);
  Tensor w = random_tensor({32, 32, 3, 3}, 1301, -0.1f, 0.1f);
  const Tensor b = random_tensor({32}, 1302);
  Conv2dOptions o;
  o.padding_h = o.padding_w = 1;
  const auto first = conv2d(x, w, b, o).to_vector_f32();
  CHECK(cpu::winograd2d_cached_weights() == 1);
  CHECK(conv2d(x, w, b, o).to_vector_f32() == first);
  CHECK(cpu::winograd2d_cached_weights() == 1);
  // Every sampled position written: the cache must notice and transform again.
  float* pw = w.data<float>();
  for (int64_t i = 0; i < w.numel(); ++i) pw[i] *= 2.0f;
  const auto doubled = conv2d(x, w, b, o).to_vector_f32();
  const auto ref = reference_conv2d(x, w, b, 1, 1);
  CHECK(deviation(doubled, ref).nmse < 5e-12);
  CHECK(cpu::winograd2d_cached_weights() == 1);
  cpu::clear_conv_cache();
  CHECK(cpu::winograd2d_cached_weights() == 0);
}

TEST_CASE("Winograd conv2d transform kernels: AVX2 equals AVX-512 bit for bit", "[conv][winograd]") {
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx512) return;  // one vector path here: nothing to compare it with
  const int64_t n = 37;  // two full 16-lane blocks and a masked tail
  std::vector<std::vector<float>> in(6);
  for (int e = 0; e < 6; ++e) in[e] = random_tensor({n}, 1400 + e, -3.0f, 3.0f).to_vector_f32();
  const float* rows_in[6] = {in[0].data(), in[1].data(), in[2].data(), in[3].data(), in[4].data(), in[5].data()};
  auto run = [&](const cpu::SimdKernels& k, bool input) {
    std::vector<float> out(6 * n, -1.0f);
    float* rows_out[6] = {&out[0], &out[n], &out[2 * n], &out[3 * n], &out[4 * n], &out[5 * n]};
    (input ? k.winograd2d_input_rows : k.winograd2d_output_rows)(rows_in, rows_out, n);
    return out;
  };
  for (bool input : {true, false}) {
    INFO((input ? "input" : "output") << " transform");
    const auto a2 = run(cpu::kSimdKernelsAvx2, input), a5 = run(cpu::kSimdKernelsAvx512, input);
    CHECK(a2 == a5);
    // And both are the transform matrix applied in double, to f32 rounding (rows past the output's 4 untouched).
    static const double bt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    static const double at[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
    for (int r = 0; r < 6; ++r)
      for (int64_t a = 0; a < n; ++a) {
        const float got = a2[static_cast<size_t>(r * n + a)];
        if (!input && r >= 4) {
          CHECK(got == -1.0f);
          continue;
        }
        double want = 0;
        for (int e = 0; e < 6; ++e) want += (input ? bt[r][e] : at[r][e]) * in[e][static_cast<size_t>(a)];
        CHECK(std::fabs(got - want) < 1e-5 * 32);
      }
  }
}
