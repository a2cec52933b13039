#include <catch2/catch.hpp>

#include <tuple>

#include "common/error.h"
#include "tensor/cpu/conv.h"
#include "tensor/ops.h"
#include "conv_test_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::ScopedConvAlgorithm;
using foley::tensor::testing::require_close;
using foley::tensor::testing::naive_conv_transpose1d;

namespace {

std::vector<float> naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dOptions& o) {
  const int64_t n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3);
  const int64_t cout = w.size(0), kh = w.size(2), kw = w.size(3), cg = cin / o.groups, og = cout / o.groups;
  const int64_t oh = (h + 2 * o.padding_h - o.dilation_h * (kh - 1) - 1) / o.stride_h + 1;
  const int64_t ow = (wd + 2 * o.padding_w - o.dilation_w * (kw - 1) - 1) / o.stride_w + 1;
  const auto xv = x.to_vector_f32(), wv = w.to_vector_f32();
  const auto bv = b.defined() ? b.to_vector_f32() : std::vector<float>(static_cast<size_t>(cout), 0.0f);
  std::vector<float> out;
  for (int64_t img = 0; img < n; ++img)
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < ow; ++xx) {
          double acc = bv[static_cast<size_t>(co)];
          const int64_t g = co / og;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t sy = y * o.stride_h - o.padding_h + i * o.dilation_h;
                const int64_t sx = xx * o.stride_w - o.padding_w + j * o.dilation_w;
                if (sy < 0 || sy >= h || sx < 0 || sx >= wd) continue;
                acc += static_cast<double>(xv[static_cast<size_t>(((img * cin + g * cg + ci) * h + sy) * wd + sx)]) *
                       wv[static_cast<size_t>(((co * cg + ci) * kh + i) * kw + j)];
              }
          out.push_back(static_cast<float>(acc));
        }
  return out;
}

}  // namespace

TEST_CASE("conv2d matches the naive definition (3x3, 1x1, stride 2, groups, dilation, odd sizes)") {
  struct Case {
    Shape x, w;
    Conv2dOptions o;
    bool bias;
  };
  Conv2dOptions dil = Conv2dOptions::make(1, 2);
  dil.dilation_h = 2;
  dil.dilation_w = 2;
  Conv2dOptions grouped = Conv2dOptions::make(1, 1);
  grouped.groups = 4;
  Conv2dOptions asym;
  asym.stride_h = 2;
  asym.padding_w = 1;
  const std::vector<Case> cases = {
      {{2, 8, 13, 7}, {6, 8, 3, 3}, Conv2dOptions::make(1, 1), true},
      {{1, 5, 9, 16}, {7, 5, 1, 1}, Conv2dOptions{}, true},
      {{2, 6, 11, 9}, {4, 6, 3, 3}, Conv2dOptions::make(2, 1), false},
      {{1, 8, 10, 10}, {8, 2, 3, 3}, grouped, true},
      {{1, 3, 12, 12}, {2, 3, 3, 3}, dil, true},
      {{1, 3, 9, 6}, {4, 3, 2, 3}, asym, true},
      // 1x1 on planes of 512 and 1024 pixels: run through copies with padded planes.
      {{2, 5, 32, 16}, {3, 5, 1, 1}, Conv2dOptions{}, true},
      {{1, 4, 128, 8}, {6, 4, 1, 1}, Conv2dOptions{}, false},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++);
    const Tensor w = random_tensor(c.w, seed++);
    const Tensor b = c.bias ? random_tensor({c.w[0]}, seed++) : Tensor();
    const Tensor y = conv2d(x, w, b, c.o);
    INFO(y.to_string());
    CHECK(foley::tensor::testing::closeness(y.to_vector_f32(), naive_conv2d(x, w, b, c.o), 1e-5, 1e-4) <= 1.0);
  }
  CHECK_THROWS_AS(conv2d(random_tensor({1, 3, 4, 4}, 1), random_tensor({2, 4, 3, 3}, 2)), foley::Error);
  CHECK_THROWS_AS(conv2d(random_tensor({1, 3, 2, 2}, 1), random_tensor({2, 3, 3, 3}, 2)), foley::Error);
}

TEST_CASE("conv2d over a tall input uses several im2col bands and stays exact") {
  // kdim * width * 4 bytes = 32*9*64*4 = 72 KB per row: 1024 rows exceed the 8 MB band budget.
  ScopedConvAlgorithm scope(foley::tensor::cpu::ConvAlgorithm::kIm2col);
  const Tensor x = random_tensor({1, 32, 1024, 64}, 5);
  const Tensor w = random_tensor({4, 32, 3, 3}, 6);
  const Tensor b = random_tensor({4}, 7);
  const Conv2dOptions o = Conv2dOptions::make(1, 1);
  CHECK(foley::tensor::testing::closeness(conv2d(x, w, b, o).to_vector_f32(), naive_conv2d(x, w, b, o), 1e-5, 1e-4) <=
        1.0);
}

TEST_CASE("conv1d with stride, padding, dilation and groups (HiFi-GAN resblock shapes)") {
  struct Case {
    Shape x, w;
    Conv1dOptions o;
  };
  const std::vector<Case> cases = {
      {{2, 8, 50}, {6, 8, 7}, {1, 3, 1, 1}},     {{1, 6, 41}, {6, 6, 3}, {1, 5, 5, 1}},
      {{1, 6, 41}, {6, 6, 11}, {1, 25, 5, 1}},   {{1, 4, 30}, {8, 2, 3}, {2, 1, 1, 2}},
      {{1, 64, 4000}, {3, 64, 11}, {1, 5, 1, 1}},  // several bands
  };
  uint32_t seed = 200;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++);
    const Tensor w = random_tensor(c.w, seed++);
    const Tensor b = random_tensor({c.w[0]}, seed++);
    Conv2dOptions o2;
    o2.stride_w = c.o.stride;
    o2.padding_w = c.o.padding;
    o2.dilation_w = c.o.dilation;
    o2.groups = c.o.groups;
    const Tensor y = conv1d(x, w, b, c.o);
    REQUIRE(y.dim() == 3);
    CHECK(foley::tensor::testing::closeness(y.to_vector_f32(), naive_conv2d(x.unsqueeze(2), w.unsqueeze(2), b, o2),
                                            1e-5, 1e-4) <= 1.0);
  }
}

TEST_CASE("conv_transpose1d matches the scatter definition (HiFi-GAN upsamplers)") {
  struct Case {
    Shape x, w;
    ConvTranspose1dOptions o;
    double atol = 1e-5;
  };
  const std::vector<Case> cases = {
      {{1, 8, 9}, {8, 4, 16}, {5, 5, 0, 1, 1}},  // k16 s5 p5: 5T+1
      {{2, 6, 7}, {6, 3, 16}, {4, 6, 0, 1, 1}},  {{1, 4, 10}, {4, 2, 8}, {2, 3, 0, 1, 1}},
      {{1, 4, 10}, {4, 2, 4}, {2, 1, 1, 1, 1}},  // output_padding
      {{1, 6, 5}, {6, 2, 3}, {2, 0, 0, 2, 3}},   // dilation + groups
      // 2 phases of 16 channels: the phase path through 1-D Winograd (conv_transpose_phases_test.cc), whose
      // rounding on these sums of 64 products of values up to 1 reaches ~1e-5.
      {{1, 32, 3000}, {32, 16, 4}, {2, 1, 0, 1, 1}, 5e-5},
  };
  uint32_t seed = 300;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++);
    const Tensor w = random_tensor(c.w, seed++);
    const Tensor b = random_tensor({c.w[1] * c.o.groups}, seed++);
    int64_t out_len = 0;
    const std::vector<float> expected = naive_conv_transpose1d(x, w, b, c.o, out_len);
    require_close(conv_transpose1d(x, w, b, c.o), {c.x[0], c.w[1] * c.o.groups, out_len}, expected, c.atol);
  }
  // The first HiFi-GAN upsampler turns T frames into 5T + 1 samples.
  CHECK(conv_transpose1d(random_tensor({1, 2, 10}, 1), random_tensor({2, 1, 16}, 2), {}, {5, 5, 0, 1, 1}).size(2) == 51);
}


TEST_CASE("im2col and oneDNN direct convolutions both match the naive definitions") {
  using foley::tensor::cpu::ConvAlgorithm;
  Conv2dOptions dil = Conv2dOptions::make(1, 2);
  dil.dilation_h = dil.dilation_w = 2;
  const std::vector<std::tuple<Shape, Shape, Conv2dOptions>> convs = {
      {{2, 8, 13, 7}, {6, 8, 3, 3}, Conv2dOptions::make(1, 1)},
      {{1, 6, 11, 9}, {4, 6, 3, 3}, Conv2dOptions::make(2, 1)},  // odd size, stride 2 (UNet downsampler)
      {{1, 3, 12, 12}, {2, 3, 3, 3}, dil},
      {{1, 5, 9, 16}, {7, 5, 1, 1}, Conv2dOptions{}},
  };
  const std::vector<std::pair<Shape, ConvTranspose1dOptions>> transposed = {
      {{8, 4, 16}, {5, 5, 0, 1, 1}}, {{4, 2, 4}, {2, 1, 1, 1, 1}}, {{4, 2, 4}, {2, 0, 1, 1, 1}}};
  for (ConvAlgorithm a : {ConvAlgorithm::kIm2col, ConvAlgorithm::kDirect}) {
    ScopedConvAlgorithm scope(a);
    INFO("algorithm " << static_cast<int>(a));
    uint32_t seed = 500;
    for (const auto& [xs, ws, o] : convs) {
      const Tensor x = random_tensor(xs, seed++), w = random_tensor(ws, seed++), b = random_tensor({ws[0]}, seed++);
      CHECK(foley::tensor::testing::closeness(conv2d(x, w, b, o).to_vector_f32(), naive_conv2d(x, w, b, o), 1e-5,
                                              1e-4) <= 1.0);
      // Without bias, and the 1-D form (HiFi-GAN) through conv1d.
      CHECK(foley::tensor::testing::closeness(conv2d(x, w, {}, o).to_vector_f32(), naive_conv2d(x, w, {}, o), 1e-5,
                                              1e-4) <= 1.0);
    }
    {
      // Winograd F(4x4, 3x3) (the direct path's 3x3 stride-1 convs) rounds differently from a dot product, so
      // compare by absolute error: measured worst |err| against the f64 reference 1.7e-5 (im2col) and 5.7e-6
      // (Winograd) on these sums of 288 products of values in [-1, 1]; the bound is 5e-5.
      const Tensor x = random_tensor({1, 32, 96, 64}, seed++), w = random_tensor({8, 32, 3, 3}, seed++);
      const double c = foley::tensor::testing::closeness(conv2d(x, w, {}, Conv2dOptions::make(1, 1)).to_vector_f32(),
                                                         naive_conv2d(x, w, {}, Conv2dOptions::make(1, 1)), 1e-4, 0);
      INFO("worst |err| / 1e-4 = " << c);
      CHECK(c <= 0.5);
    }
    const Tensor x1 = random_tensor({1, 6, 300}, seed++), w1 = random_tensor({5, 6, 11}, seed++);
    Conv2dOptions o2;
    o2.padding_w = 25;
    o2.dilation_w = 5;
    CHECK(foley::tensor::testing::closeness(conv1d(x1, w1, {}, {1, 25, 5, 1}).to_vector_f32(),
                                            naive_conv2d(x1.unsqueeze(2), w1.unsqueeze(2), {}, o2), 1e-5, 1e-4) <= 1.0);
    for (const auto& [ws, o] : transposed) {
      const Tensor x = random_tensor({2, ws[0], 37}, seed++), w = random_tensor(ws, seed++);
      const Tensor b = random_tensor({ws[1]}, seed++);
      int64_t out_len = 0;
      const std::vector<float> expected = naive_conv_transpose1d(x, w, b, o, out_len);
      require_close(conv_transpose1d(x, w, b, o), {2, ws[1], out_len}, expected);
    }
  }
}

TEST_CASE("long conv1d runs in length-independent tiles on the direct path and matches the definition") {
  // Lengths past one tile (4096 outputs), with padding at both ends, dilation, stride 2 and a last partial
  // tile; two lengths of the same layer share one primitive (the cache does not grow with the length).
  using foley::tensor::cpu::ConvAlgorithm;
  ScopedConvAlgorithm scope(ConvAlgorithm::kDirect);
  struct Case {
    Shape x, w;
    Conv1dOptions o;
  };
  const std::vector<Case> cases = {
      {{1, 3, 10001}, {5, 3, 7}, {1, 9, 3, 1}},
      {{2, 4, 9000}, {2, 4, 11}, {2, 5, 1, 1}},
      {{1, 2, 4097}, {1, 2, 3}, {1, 1, 1, 1}},
  };
  uint32_t seed = 900;
  for (const Case& c : cases) {
    INFO("x " << c.x[2] << " k " << c.w[2] << " stride " << c.o.stride);
    const Tensor x = random_tensor(c.x, seed++), w = random_tensor(c.w, seed++), b = random_tensor({c.w[0]}, seed++);
    Conv2dOptions o2;
    o2.stride_w = c.o.stride;
    o2.padding_w = c.o.padding;
    o2.dilation_w = c.o.dilation;
    const Tensor y = conv1d(x, w, b, c.o);
    const auto expected = naive_conv2d(x.unsqueeze(2), w.unsqueeze(2), b, o2);
    REQUIRE(static_cast<size_t>(y.numel()) == expected.size());
    CHECK(foley::tensor::testing::closeness(y.to_vector_f32(), expected, 1e-5, 1e-4) <= 1.0);
  }
  const Tensor w = random_tensor({3, 3, 5}, seed++);
  conv1d(random_tensor({1, 3, 5000}, seed++), w, {}, {1, 2, 1, 1});
  const int64_t primitives = foley::tensor::cpu::conv_cached_primitives();
  conv1d(random_tensor({1, 3, 12345}, seed++), w, {}, {1, 2, 1, 1});
  CHECK(foley::tensor::cpu::conv_cached_primitives() == primitives);
}

TEST_CASE("long conv2d planes run in row tiles on the direct path and match the definition") {
  // Planes taller than two tiles (a tile is ~1024 outputs of whole rows: 128 rows at 8 wide, 16 at 64 wide;
  // tiled only with enough channels for a tile to be real work) with padding, stride 2, dilation, batch 2, and
  // a last partial tile; two heights of the same layer share one primitive.
  using foley::tensor::cpu::ConvAlgorithm;
  ScopedConvAlgorithm scope(ConvAlgorithm::kDirect);
  Conv2dOptions dil = Conv2dOptions::make(1, 2);
  dil.dilation_h = dil.dilation_w = 2;
  const std::vector<std::tuple<Shape, Shape, Conv2dOptions>> convs = {
      {{2, 48, 300, 8}, {48, 48, 3, 3}, Conv2dOptions::make(1, 1)},
      {{1, 48, 300, 64}, {48, 48, 3, 3}, Conv2dOptions::make(2, 1)},
      {{1, 48, 203, 64}, {40, 48, 3, 3}, dil},
  };
  uint32_t seed = 950;
  for (const auto& [xs, ws, o] : convs) {
    INFO("x height " << xs[2] << " width " << xs[3] << " stride " << o.stride_h);
    const Tensor x = random_tensor(xs, seed++), w = random_tensor(ws, seed++), b = random_tensor({ws[0]}, seed++);
    CHECK(foley::tensor::testing::closeness(conv2d(x, w, b, o).to_vector_f32(), naive_conv2d(x, w, b, o), 1e-5,
                                            1e-4) <= 1.0);
  }
  const Tensor w = random_tensor({48, 48, 3, 3}, seed++);
  conv2d(random_tensor({1, 48, 300, 8}, seed++), w, {}, Conv2dOptions::make(1, 1));
  const int64_t primitives = foley::tensor::cpu::conv_cached_primitives();
  conv2d(random_tensor({1, 48, 333, 8}, seed++), w, {}, Conv2dOptions::make(1, 1));
  CHECK(foley::tensor::cpu::conv_cached_primitives() == primitives);
  // Few channels: untiled (each height its own primitive).
  const Tensor small = random_tensor({4, 3, 3, 3}, seed++);
  conv2d(random_tensor({1, 3, 300, 8}, seed++), small, {}, Conv2dOptions::make(1, 1));
  const int64_t after_small = foley::tensor::cpu::conv_cached_primitives();
  conv2d(random_tensor({1, 3, 333, 8}, seed++), small, {}, Conv2dOptions::make(1, 1));
  CHECK(foley::tensor::cpu::conv_cached_primitives() == after_small + 1);
}

TEST_CASE("direct convolution reorders a weight once, follows in-place writes and forgets freed weights") {
  using foley::tensor::cpu::ConvAlgorithm;
  ScopedConvAlgorithm scope(ConvAlgorithm::kDirect);
  foley::tensor::cpu::clear_conv_cache();
  const Conv2dOptions o = Conv2dOptions::make(1, 1);
  const Tensor x = random_tensor({1, 4, 9, 9}, 1);
  {
    Tensor w = random_tensor({3, 4, 3, 3}, 2);
    conv2d(x, w, {}, o);
    conv2d(random_tensor({2, 4, 5, 7}, 3), w, {}, o);  // another input shape, same weight layout
    CHECK(foley::tensor::cpu::conv_cached_weights() == 1);
    // Written in place after its first use: the next call must see the new values.
    w.data<float>()[0] += 1.0f;
    CHECK(foley::tensor::testing::closeness(conv2d(x, w, {}, o).to_vector_f32(), naive_conv2d(x, w, {}, o), 1e-5,
                                            1e-4) <= 1.0);
    const Tensor w2 = random_tensor({3, 4, 3, 3}, 4);
    conv2d(x, w2, {}, o);
    CHECK(foley::tensor::cpu::conv_cached_weights() == 2);
  }
  // Both weights are gone: their copies no longer count, and a new weight (perhaps at a recycled address) is
  // reordered afresh.
  CHECK(foley::tensor::cpu::conv_cached_weights() == 0);
  const Tensor w3 = random_tensor({3, 4, 3, 3}, 5);
  CHECK(foley::tensor::testing::closeness(conv2d(x, w3, {}, o).to_vector_f32(), naive_conv2d(x, w3, {}, o), 1e-5,
                                          1e-4) <= 1.0);
}

TEST_CASE("a weight met at many lengths keeps a bounded number of reordered layouts, and stays right") {
  // oneDNN's Winograd layout for a 128-channel 3x3 weight on 64-wide planes changes with the plane's height (8,
  // 12 and 64 rows give three layouts, each a full copy): a resident server meeting many cue durations would
  // keep them all. The cache keeps the kMaxConvWeightLayouts most recently used.
  using foley::tensor::cpu::ConvAlgorithm;
  ScopedConvAlgorithm scope(ConvAlgorithm::kDirect);
  foley::tensor::cpu::clear_conv_cache();
  const Conv2dOptions o = Conv2dOptions::make(1, 1);
  const Tensor w = random_tensor({128, 128, 3, 3}, 7, -0.05f, 0.05f);
  const Tensor x8 = random_tensor({1, 128, 8, 64}, 8);
  const std::vector<float> first = conv2d(x8, w, {}, o).to_vector_f32();
  for (int64_t h : {12, 64, 12}) {
    conv2d(random_tensor({1, 128, h, 64}, static_cast<uint32_t>(h)), w, {}, o);
    CHECK(foley::tensor::cpu::conv_cached_weights() <= static_cast<int64_t>(foley::tensor::cpu::kMaxConvWeightLayouts));
  }
  // Its first layout was dropped on the way (three were met): reordered again, the same result.
  CHECK(conv2d(x8, w, {}, o).to_vector_f32() == first);
  CHECK(foley::tensor::cpu::conv_cached_weights() <= static_cast<int64_t>(foley::tensor::cpu::kMaxConvWeightLayouts));
  CHECK(foley::tensor::cpu::conv_cached_primitives() == 3);
}

TEST_CASE("the automatic choice sends large 3x3 planes to oneDNN and small or 1x1 ones to im2col") {
  using foley::tensor::cpu::ConvAlgorithm;
  ScopedConvAlgorithm scope(ConvAlgorithm::kAuto);
  foley::tensor::cpu::clear_conv_cache();
  conv2d(random_tensor({1, 4, 8, 8}, 1), random_tensor({4, 4, 3, 3}, 2), {}, Conv2dOptions::make(1, 1));
  conv2d(random_tensor({1, 4, 64, 16}, 1), random_tensor({4, 4, 1, 1}, 2));
  CHECK(foley::tensor::cpu::conv_cached_weights() == 0);
  const Tensor w = random_tensor({4, 4, 3, 3}, 3);
  conv2d(random_tensor({1, 4, 64, 16}, 4), w, {}, Conv2dOptions::make(1, 1));
  CHECK(foley::tensor::cpu::conv_cached_weights() == 1);
}
