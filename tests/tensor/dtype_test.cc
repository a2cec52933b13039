#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "tensor/dtype.h"

using namespace foley::tensor;

namespace {

// Reference f16 decode straight from the IEEE definition.
double f16_value(uint16_t h) {
  const int sign = (h >> 15) ? -1 : 1;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

}  // namespace

TEST_CASE("f16 -> f32 decodes every half exactly") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    const double expected = f16_value(static_cast<uint16_t>(h));
    if (std::isnan(expected)) {
      REQUIRE(std::isnan(f));
    } else {
      REQUIRE(static_cast<double>(f) == expected);
      REQUIRE(std::signbit(f) == ((h >> 15) != 0));
    }
  }
}

TEST_CASE("f32 -> f16 -> f32 round-trips every half, including subnormals and inf") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    const float f = f16_to_f32(bits);
    if (std::isnan(f)) {
      REQUIRE(std::isnan(f16_to_f32(f32_to_f16(f))));
      continue;
    }
    REQUIRE(f32_to_f16(f) == bits);
  }
}

TEST_CASE("f32 -> f16 rounds to nearest even and overflows to inf") {
  // 1 + 2^-11 is exactly between 1 and the next half (1 + 2^-10): ties to even -> 1.
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);
  // 1 + 3*2^-11 is between 1+2^-10 (odd) and 1+2^-9 (even): ties to even -> 1+2^-9.
  CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);
  CHECK(f32_to_f16(65504.0f) == 0x7bff);
  CHECK(f32_to_f16(65519.0f) == 0x7bff);
  CHECK(f32_to_f16(65520.0f) == 0x7c00);
  CHECK(f32_to_f16(-1e10f) == 0xfc00);
  CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
  // Smallest subnormal half is 2^-24; half of it ties to even (zero); a bit more rounds up.
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);
  CHECK(f32_to_f16(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(f32_to_f16(-std::ldexp(1.0f, -30)) == 0x8000);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  const uint16_t nan = f32_to_f16(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7c00) == 0x7c00);
  CHECK((nan & 0x3ff) != 0);
}

TEST_CASE("bf16 conversions: exact widening, round to nearest even, NaN kept") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    const float f = bf16_to_f32(bits);
    REQUIRE(std::bit_cast<uint32_t>(f) == (h << 16));
    if (!std::isnan(f)) REQUIRE(f32_to_bf16(f) == bits);
  }
  CHECK(f32_to_bf16(std::bit_cast<float>(0x3f808000u)) == 0x3f80);  // tie, even stays
  CHECK(f32_to_bf16(std::bit_cast<float>(0x3f818000u)) == 0x3f82);  // tie, odd rounds up
  CHECK(f32_to_bf16(std::bit_cast<float>(0x3f808001u)) == 0x3f81);
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(std::bit_cast<float>(0x7f800001u)))));  // signalling NaN stays NaN
  CHECK(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7f80);
}

TEST_CASE("convert_elements between dtypes") {
  const float src[4] = {1.5f, -2.0f, 3.75f, 0.0f};
  uint16_t half[4];
  convert_elements(src, DType::kF32, half, DType::kF16, 4);
  float back[4];
  convert_elements(half, DType::kF16, back, DType::kF32, 4);
  CHECK(std::memcmp(src, back, sizeof(src)) == 0);
  int64_t ints[4];
  convert_elements(src, DType::kF32, ints, DType::kI64, 4);
  CHECK(ints[0] == 1);
  CHECK(ints[1] == -2);
  CHECK(ints[2] == 3);
  convert_elements(half, DType::kF16, ints, DType::kI64, 4);
  CHECK(ints[2] == 3);
  CHECK(dtype_size(DType::kBF16) == 2);
  CHECK(dtype_name(DType::kI64) == "i64");
}
