// exp2_16 on AVX2 puts the rounded n into the exponent field of the polynomial by an integer add instead of
// vscalefps: the same bits as the AVX-512 path on every input of its domain (ties to even included), and within
// its stated error of exp2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/cpu/isa.h"

namespace foley::tensor::testing {
void exp2_avx2(const float* x, float* y, int64_t n);
void exp2_avx512(const float* x, float* y, int64_t n);
}  // namespace foley::tensor::testing

using namespace foley::tensor;

namespace {

// Every quarter from -130 to 127 (ties at each half among them), values just off the ties, the clamp, NaN and -inf
// (both clamped to -120); padded to whole 16-lane vectors. The domain ends at 127.
std::vector<float> exp2_inputs() {
  std::vector<float> x;
  for (int q = -130 * 4; q <= 127 * 4; ++q) {
    const float v = static_cast<float>(q) / 4.0f;
    x.insert(x.end(), {v, std::nextafter(v, -1e9f)});
    if (q < 127 * 4) x.push_back(std::nextafter(v, 1e9f));
  }
  x.insert(x.end(), {-120.0f, -126.0f, -1e30f, 0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(),
                     -std::numeric_limits<float>::infinity(), 1e-8f, -1e-8f});
  while (x.size() % 16 != 0) x.push_back(0.5f);
  return x;
}

}  // namespace

TEST_CASE("exp2_16: AVX2 equals AVX-512 bit for bit, ties included, and is within 3e-7 of exp2") {
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx2) {
    WARN("no AVX2 on this CPU: nothing to check");
    return;
  }
  const std::vector<float> x = exp2_inputs();
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> avx2(x.size());
  testing::exp2_avx2(x.data(), avx2.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    const double xi = std::isnan(x[i]) ? -120.0 : std::max(static_cast<double>(x[i]), -120.0);
    const double want = std::exp2(xi);
    REQUIRE(std::fabs(avx2[i] - want) <= 3e-7 * want);
  }
  if (cpu::max_cpu_isa() < cpu::Isa::kAvx512) {
    WARN("no AVX-512 on this CPU: the AVX2 path checked against exp2 only");
    return;
  }
  std::vector<float> avx512(x.size());
  testing::exp2_avx512(x.data(), avx512.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    CHECK(avx2[i] == avx512[i]);
  }
}
