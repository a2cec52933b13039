// The 1-D Winograd convolution (tensor/cpu/conv_winograd1d.h) and conv1d_fused (tensor/ops.h): against a
// double-precision definition, against oneDNN's direct convolution, and fused against the unfused composition.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "common/error.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/ops.h"
#include "conv_test_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::deviation;
using foley::tensor::testing::Deviation;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::reference_conv1d;
using foley::tensor::testing::ScopedConvAlgorithm;
using foley::tensor::testing::widen;

namespace {

class ScopedMinChannels {
 public:
  explicit ScopedMinChannels(int64_t c) : saved_(cpu::winograd1d_min_channels()) {
    cpu::set_winograd1d_min_channels(c);
  }
  ~ScopedMinChannels() { cpu::set_winograd1d_min_channels(saved_); }

 private:
  int64_t saved_;
};

std::vector<float> narrow(const std::vector<double>& v) {
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i]);
  return out;
}

}  // namespace

TEST_CASE("Winograd conv1d matches the definition on HiFi-GAN resblock shapes, close to direct convolution",
          "[conv][winograd]") {
  struct Case {
    int64_t c_in, c_out, len, k, dilation, padding;
  };
  // Same-padding resblock convs (all three kernels, all three dilations), lengths that are not multiples of the
  // tile or the dilation, a valid (unpadded) and an asymmetric-output case, C_in != C_out, batch 2; kernels of
  // two chunks (4 and 5 taps: the second reads the odd input tiles alone) and of 3 chunks ending in one tap (7);
  // a long row of 64 channels (one block, threaded loops); 32-channel rows long enough to be cut into several
  // blocks of tiles, the last one partial (dilation 1, 3 and 5).
  const std::vector<Case> cases = {{64, 64, 301, 3, 1, 1},   {64, 64, 299, 7, 3, 9},  {64, 64, 317, 11, 5, 25},
                                   {96, 64, 200, 11, 1, 0},  {64, 80, 123, 7, 5, 4},  {64, 64, 64, 3, 5, 5},
                                   {64, 48, 97, 4, 1, 0},    {40, 64, 150, 5, 2, 4},  {64, 64, 2503, 11, 1, 5},
                                   {32, 32, 2503, 11, 1, 5}, {32, 32, 2201, 7, 3, 9}, {32, 32, 2999, 11, 5, 25}};
  uint32_t seed = 900;
  for (const Case& c : cases) {
    for (int64_t batch : {1, 2}) {
      INFO("c_in " << c.c_in << " c_out " << c.c_out << " len " << c.len << " k " << c.k << " d " << c.dilation
                   << " p " << c.padding << " batch " << batch);
      const Tensor x = random_tensor({batch, c.c_in, c.len}, seed++);
      const Tensor w = random_tensor({c.c_out, c.c_in, c.k}, seed++, -0.1f, 0.1f);
      const Tensor b = random_tensor({c.c_out}, seed++);
      Conv1dOptions o;
      o.padding = c.padding;
      o.dilation = c.dilation;
      REQUIRE(cpu::winograd1d_wanted(c.c_in, c.c_out, c.k, 1, 1, c.len + 2 * c.padding - c.dilation * (c.k - 1)));
      const auto ref = reference_conv1d(x, w, b, c.padding, c.dilation);
      const Tensor y = conv1d(x, w, b, o);
      REQUIRE(y.shape() == Shape{batch, c.c_out, c.len + 2 * c.padding - c.dilation * (c.k - 1)});
      Tensor direct;
      {
        ScopedConvAlgorithm a(cpu::ConvAlgorithm::kDirect);
        direct = conv1d(x, w, b, o);
      }
      const Deviation wino = deviation(y.to_vector_f32(), ref), dir = deviation(direct.to_vector_f32(), ref);
      std::printf("winograd1d c%lld k%lld d%lld: winograd nmse %.2e max_rel %.2e | direct nmse %.2e max_rel %.2e\n",
                  static_cast<long long>(c.c_in), static_cast<long long>(c.k), static_cast<long long>(c.dilation),
                  wino.nmse, wino.max_rel, dir.nmse, dir.max_rel);
      // Measured (F(6, 3)): nmse 1.7e-13 .. 5.8e-13, max_rel 9e-7 .. 1.4e-6 (direct on the same cases: nmse
      // 2e-14 .. 4.1e-13, max_rel 3e-7 .. 1.6e-6; F(3, 3) gave 5e-14 .. 1.6e-13). Bounds ~2x and ~3.5x the worst.
      CHECK(wino.nmse < 1e-12);
      CHECK(wino.max_rel < 5e-6);
    }
  }
}

TEST_CASE("conv1d_fused equals the unfused composition on the Winograd path and off it", "[conv][winograd]") {
  const int64_t c = 64, len = 250;
  const Tensor x = random_tensor({1, c, len}, 31);
  const Tensor w = random_tensor({c, c, 7}, 32, -0.1f, 0.1f);
  const Tensor b = random_tensor({c}, 33);
  const Tensor r1 = random_tensor({1, c, len}, 34), r2 = random_tensor({1, c, len}, 35);
  Conv1dOptions o;
  o.dilation = 3;
  o.padding = 9;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Variant {
    double in_slope;
    bool r1, r2;
    double scale, out_slope;
  };
  const std::vector<Variant> variants = {{0.1, false, false, 1.0, nan},  // convs1 of a resblock
                                         {0.1, true, false, 1.0, nan},   // convs2: + residual
                                         {0.1, true, true, 1.0 / 3.0, 0.1},  // last conv of a stage
                                         {nan, false, false, 1.0, 0.01},
                                         {nan, true, false, 0.5, nan}};
  for (const auto& v : variants) {
    Conv1dFusion f;
    f.input_slope = v.in_slope;
    if (v.r1) f.residual = r1;
    if (v.r2) f.residual2 = r2;
    f.output_scale = v.scale;
    f.output_slope = v.out_slope;
    auto composed = [&] {
      Tensor y = conv1d(std::isnan(v.in_slope) ? x : leaky_relu(x, v.in_slope), w, b, o);
      if (v.r1) y = add(y, r1);
      if (v.r2) y = add(y, r2);
      if (v.scale != 1.0) y = scale(y, v.scale);
      if (!std::isnan(v.out_slope)) y = leaky_relu(y, v.out_slope);
      return y.to_vector_f32();
    };
    INFO("in_slope " << v.in_slope << " r1 " << v.r1 << " r2 " << v.r2 << " scale " << v.scale << " out_slope "
                     << v.out_slope);
    // Winograd both ways: the epilogue does the same f32 operations in the same order as the separate ops.
    REQUIRE(cpu::winograd1d_wanted(c, c, 7, 1, 1, len));
    const auto fused = conv1d_fused(x, w, b, o, f).to_vector_f32();
    CHECK(testing::closeness(fused, composed(), 1e-6, 1e-6) <= 1.0);
    // Off the Winograd path (direct convolution): exactly the composition.
    ScopedConvAlgorithm a(cpu::ConvAlgorithm::kDirect);
    CHECK(conv1d_fused(x, w, b, o, f).to_vector_f32() == composed());
    // And the fused Winograd result is the direct composition within Winograd's rounding.
    const Deviation d = deviation(fused, widen(composed()));
    CHECK(d.nmse < 1e-12);
  }
}

TEST_CASE("conv1d_fused on long rows off the Winograd path folds its work into the direct path's tiles, exactly",
          "[conv][winograd]") {
  // 16 channels (below the Winograd minimum) and 9000 outputs (three 4096-output tiles, the last partial): the
  // direct path gathers each tile with the input activation and applies the epilogue while copying it out; the
  // values are those of composing the ops (same primitive, same f32 operations in the same order). FOLEY_CONV=direct
  // (kAuto sends this shape to the narrow path).
  const ScopedConvAlgorithm direct(cpu::ConvAlgorithm::kDirect);
  const int64_t c = 16, len = 9000;
  REQUIRE_FALSE(cpu::winograd1d_wanted(c, c, 11, 1, 1, len));
  const Tensor x = random_tensor({1, c, len}, 51);
  const Tensor w = random_tensor({c, c, 11}, 52, -0.1f, 0.1f);
  const Tensor b = random_tensor({c}, 53);
  const Tensor r1 = random_tensor({1, c, len}, 54), r2 = random_tensor({1, c, len}, 55);
  Conv1dOptions o;
  o.dilation = 5;
  o.padding = 25;
  const Conv1dFusion plain;
  const Conv1dFusion resblock_end = testing::resblock_end_fusion(r1, r2);
  for (const Conv1dFusion* f : {&plain, &resblock_end}) {
    const bool full = f == &resblock_end;
    const Tensor y = full ? testing::resblock_end_composed(x, w, b, o, r1, r2) : conv1d(x, w, b, o);
    INFO("fused epilogue " << full);
    const Tensor fused = cpu::direct_conv1d_tiled_if_wanted(x, w, b, o, cpu::conv1d_epilogue(*f, f->residual,
                                                                                             f->residual2));
    REQUIRE(fused.defined());  // this shape takes the tiled path
    CHECK(fused.to_vector_f32() == y.to_vector_f32());
    CHECK(conv1d_fused(x, w, b, o, *f).to_vector_f32() == y.to_vector_f32());
  }
}

TEST_CASE("conv1d_fused checks residual shapes; small channel counts stay off the Winograd path",
          "[conv][winograd]") {
  const Tensor x = random_tensor({1, 64, 100}, 41), w = random_tensor({64, 64, 3}, 42);
  Conv1dOptions o;
  o.padding = 1;
  Conv1dFusion f;
  f.residual = random_tensor({1, 64, 99}, 43);
  CHECK_THROWS_AS(conv1d_fused(x, w, {}, o, f), foley::Error);
  CHECK_FALSE(cpu::winograd1d_wanted(cpu::kWinograd1dMinChannels - 1, 64, 3, 1, 1, 1000));
  CHECK_FALSE(cpu::winograd1d_wanted(64, 64, 3, 2, 1, 1000));  // strided
  CHECK_FALSE(cpu::winograd1d_wanted(64, 64, 1, 1, 1, 1000));  // pointwise
  CHECK_FALSE(cpu::winograd1d_wanted(64, 64, 3, 1, 2, 1000));  // grouped
  ScopedMinChannels m(1);
  CHECK(cpu::winograd1d_wanted(2, 2, 3, 1, 1, 1000));
}

TEST_CASE("Winograd weights are transformed once per weight, again after an in-place write, and forgotten",
          "[conv][winograd]") {
  cpu::clear_conv_cache();
  const Tensor x = random_tensor({1, 64, 120}, 51);
  Tensor w = random_tensor({64, 64, 3}, 52);
  Conv1dOptions o;
  o.padding = 1;
  const Tensor first = conv1d(x, w, {}, o);
  CHECK(cpu::winograd1d_cached_weights() == 1);
  CHECK(conv1d(x, w, {}, o).to_vector_f32() == first.to_vector_f32());
  CHECK(cpu::winograd1d_cached_weights() == 1);
  w.data<float>()[0] += 1.0f;  // a sampled element: the cache must notice
  const auto changed = conv1d(x, w, {}, o).to_vector_f32();
  CHECK(changed != first.to_vector_f32());
  CHECK(testing::closeness(changed, narrow(reference_conv1d(x, w, Tensor::zeros({64}), 1, 1)), 1e-4, 1e-4) <=
        1.0);
  w = Tensor();
  CHECK(cpu::winograd1d_cached_weights() == 0);
}
