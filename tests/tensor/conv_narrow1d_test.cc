// The narrow 1-D convolution (tensor/cpu/conv_narrow1d.h): which shapes take it, its values against the
// double-precision definition on every vector ISA (equal bits across them), and the fused epilogue against the
// composition of the unfused ops.

#include <catch2/catch.hpp>

#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_narrow1d.h"
#include "tensor/cpu/isa.h"
#include "tensor/ops.h"
#include "conv_test_util.h"
#include "isa_util.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;
using foley::tensor::testing::reference_conv1d;
using foley::tensor::testing::ScopedConvAlgorithm;

namespace {

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("narrow conv1d: taken below the Winograd channel count, stride 1, ungrouped, on a vector ISA only") {
  const int64_t narrow = cpu::winograd1d_min_channels();
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx2) {
    WARN("no AVX2 on this CPU: the narrow path never runs");
    CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 3, 1, 1, 1000));
    return;
  }
  CHECK(cpu::narrow_conv1d_wanted(8, 8, 11, 1, 1, 1000));
  CHECK(cpu::narrow_conv1d_wanted(narrow, 1, 7, 1, 1, 1000));          // a vocoder's conv_post
  CHECK_FALSE(cpu::narrow_conv1d_wanted(narrow, narrow, 3, 1, 1, 1000));  // Winograd's
  CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 3, 2, 1, 1000));            // strided
  CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 3, 1, 2, 1000));            // grouped
  CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 3, 1, 1, 40));              // short
  {
    const ScopedConvAlgorithm direct(cpu::ConvAlgorithm::kDirect);
    CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 11, 1, 1, 1000));
  }
  testing::IsaScope scalar(cpu::Isa::kScalar);
  CHECK_FALSE(cpu::narrow_conv1d_wanted(8, 8, 11, 1, 1, 1000));
}

TEST_CASE("narrow conv1d matches the double-precision definition, and AVX2 and AVX-512 give the same bits") {
  struct Case {
    int64_t n, c_in, c_out, len, k, dilation, padding;
  };
  // Output channels off the groups of 4, outputs off the 16-lane vectors and over several spans, no padding,
  // padding wider than the kernel's reach, a dilated kernel, a 1-tap kernel and a wide input for one output.
  const Case cases[] = {{2, 3, 5, 300, 7, 2, 6},   {1, 1, 1, 5000, 11, 1, 5}, {1, 16, 16, 2100, 3, 5, 5},
                        {1, 40, 1, 777, 7, 1, 3},  {1, 4, 7, 100, 3, 1, 0},   {1, 2, 3, 90, 5, 1, 9},
                        {3, 6, 2, 129, 1, 1, 0}};
  uint32_t seed = 300;
  for (const Case& c : cases) {
    INFO("N " << c.n << " C_in " << c.c_in << " C_out " << c.c_out << " L " << c.len << " K " << c.k << " dilation "
              << c.dilation << " padding " << c.padding);
    const Tensor x = random_tensor({c.n, c.c_in, c.len}, ++seed);
    const Tensor w = random_tensor({c.c_out, c.c_in, c.k}, ++seed, -0.3f, 0.3f);
    const Tensor b = random_tensor({c.c_out}, ++seed);
    Conv1dOptions o;
    o.dilation = c.dilation;
    o.padding = c.padding;
    const auto expected = to_float(reference_conv1d(x, w, b, c.padding, c.dilation));
    std::vector<std::vector<float>> by_isa;
    testing::for_each_cpu_isa([&](cpu::Isa isa) {
      const Tensor via_conv1d = conv1d(x, w, b, o);
      CHECK(testing::closeness(via_conv1d.to_vector_f32(), expected, 1e-5, 1e-5) <= 1.0);
      if (isa == cpu::Isa::kScalar) return;
      const Tensor narrow = cpu::narrow_conv1d_if_wanted(x, w, b, o, {});
      REQUIRE(narrow.defined());
      CHECK(narrow.to_vector_f32() == via_conv1d.to_vector_f32());  // conv1d took this path
      by_isa.push_back(narrow.to_vector_f32());
    });
    for (size_t i = 1; i < by_isa.size(); ++i) CHECK(by_isa[i] == by_isa[0]);
  }
}

TEST_CASE("narrow conv1d_fused equals composing the unfused ops, bit for bit") {
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx2) {
    WARN("no AVX2 on this CPU: the narrow path never runs");
    return;
  }
  // A HiFi-GAN resblock's end on 8 channels: leaky ReLU in, bias, two residuals, a scale, leaky ReLU out.
  const int64_t c = 8, len = 3000;
  const Tensor x = random_tensor({1, c, len}, 71);
  const Tensor w = random_tensor({c, c, 11}, 72, -0.1f, 0.1f);
  const Tensor b = random_tensor({c}, 73);
  const Tensor r1 = random_tensor({1, c, len}, 74), r2 = random_tensor({1, c, len}, 75);
  Conv1dOptions o;
  o.dilation = 3;
  o.padding = 15;
  REQUIRE(cpu::narrow_conv1d_wanted(c, c, 11, 1, 1, len));
  const Tensor composed = testing::resblock_end_composed(x, w, b, o, r1, r2);
  CHECK(conv1d_fused(x, w, b, o, testing::resblock_end_fusion(r1, r2)).to_vector_f32() == composed.to_vector_f32());
}
