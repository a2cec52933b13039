// A port of torch's CPU random normal sampling (at::CPUGeneratorImpl with
// at::mt19937; aten/src/ATen/native/cpu/DistributionTemplates.h normal_kernel;
// ATen/core/DistributionsHelper.h). Every cast below mirrors the reference:
// changing a float to a double changes the last bits and breaks bit equality.
#include "tensor/random.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace foley::tensor {
namespace {

constexpr int kStateSize = 624;
constexpr int kShift = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;
constexpr double kPi = 3.14159265358979323846;

// at::uniform_real_distribution<float>(0, 1): 24 random bits / 2^24.
float uniform_float(CpuGenerator& g) {
  const uint32_t bits = g.random() & ((1u << 24) - 1);
  return static_cast<float>(static_cast<double>(bits) * (1.0 / static_cast<double>(1u << 24)));
}

// at::uniform_real_distribution<double>(0, 1): 53 random bits / 2^53.
double uniform_double(CpuGenerator& g) {
  const uint64_t bits = g.random64() & ((uint64_t{1} << 53) - 1);
  return static_cast<double>(bits) * (1.0 / static_cast<double>(uint64_t{1} << 53));
}

// torch's x86 CPU kernels fill float tensors through normal_fill_16_AVX2,
// whose log and sincos are the Cephes polynomials of avx_mathfun.h. The wheels
// are built with FMA and GCC contracts each multiply feeding an add into one
// fused operation, so the port spells out exactly those std::fma calls (and
// random.cc is compiled with -ffp-contract=off so that nothing else fuses).
// Verified bit for bit against torch 2.5.1 (tests/fixtures/randn).
float cephes_log(float x) {
  x = std::max(x, std::bit_cast<float>(0x00800000u));  // no denormals
  const int32_t exponent = static_cast<int32_t>(std::bit_cast<uint32_t>(x) >> 23);
  x = std::bit_cast<float>((std::bit_cast<uint32_t>(x) & ~0x7f800000u) | std::bit_cast<uint32_t>(0.5f));
  float e = static_cast<float>(exponent - 0x7f) + 1.0f;
  const bool below = x < 0.707106781186547524f;
  const float extra = below ? x : 0.0f;
  x = x - 1.0f;
  e = e - (below ? 1.0f : 0.0f);
  x = x + extra;
  const float z = x * x;
  float y = 7.0376836292E-2f;
  y = std::fma(y, x, -1.1514610310E-1f);
  y = std::fma(y, x, 1.1676998740E-1f);
  y = std::fma(y, x, -1.2420140846E-1f);
  y = std::fma(y, x, 1.4249322787E-1f);
  y = std::fma(y, x, -1.6668057665E-1f);
  y = std::fma(y, x, 2.0000714765E-1f);
  y = std::fma(y, x, -2.4999993993E-1f);
  y = std::fma(y, x, 3.3333331174E-1f);
  y = y * x;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(-z, 0.5f, y);
  x = x + y;
  return std::fma(e, 0.693359375f, x);
}

void cephes_sincos(float angle, float* sine, float* cosine) {
  uint32_t sign_sin = std::bit_cast<uint32_t>(angle) & 0x80000000u;
  float x = std::fabs(angle);
  int32_t octant = static_cast<int32_t>(x * 1.27323954473516f);  // 4/pi, truncated
  octant = (octant + 1) & ~1;
  const float y = static_cast<float>(octant);
  sign_sin ^= static_cast<uint32_t>(octant & 4) << 29;
  const uint32_t sign_cos = static_cast<uint32_t>(~(octant - 2) & 4) << 29;
  const bool sine_poly = (octant & 2) == 0;
  // Extended-precision reduction x - y*pi/4 in three parts.
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const float z = x * x;
  float cos_poly = 2.443315711809948E-005f;
  cos_poly = std::fma(cos_poly, z, -1.388731625493765E-003f);
  cos_poly = std::fma(cos_poly, z, 4.166664568298827E-002f);
  cos_poly = cos_poly * z;
  cos_poly = std::fma(cos_poly, z, -(z * 0.5f));
  cos_poly = cos_poly + 1.0f;
  float sin_poly = -1.9515295891E-4f;
  sin_poly = std::fma(sin_poly, z, 8.3321608736E-3f);
  sin_poly = std::fma(sin_poly, z, -1.6666654611E-1f);
  sin_poly = sin_poly * z;
  sin_poly = std::fma(sin_poly, x, x);
  // Same selection arithmetic as the vector code (adds of +0 included).
  const float sin_from_sin = sine_poly ? sin_poly : 0.0f;
  const float sin_from_cos = sine_poly ? 0.0f : cos_poly;
  const float s = sin_from_cos + sin_from_sin;
  const float c = (cos_poly - sin_from_cos) + (sin_poly - sin_from_sin);
  *sine = std::bit_cast<float>(std::bit_cast<uint32_t>(s) ^ sign_sin);
  *cosine = std::bit_cast<float>(std::bit_cast<uint32_t>(c) ^ sign_cos);
}

// normal_fill_16: Box-Muller on the 8 pairs (data[j], data[j + 8]) of uniforms.
void normal_fill_16(float* data) {
  const float two_pi = static_cast<float>(2.0f * kPi);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];  // [0, 1) -> (0, 1] for log
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2.0f * cephes_log(u1));
    float sine, cosine;
    cephes_sincos(two_pi * u2, &sine, &cosine);
    data[j] = radius * cosine;
    data[j + 8] = radius * sine;
  }
}

}  // namespace

CpuGenerator::CpuGenerator(uint64_t seed) { manual_seed(seed); }

void CpuGenerator::manual_seed(uint64_t seed) {
  state_[0] = static_cast<uint32_t>(seed & 0xffffffffu);
  for (int j = 1; j < kStateSize; ++j)
    state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + static_cast<uint32_t>(j);
  index_ = kStateSize;  // regenerate on the first draw
  next_double_normal_.reset();
}

uint32_t CpuGenerator::random() {
  if (index_ >= kStateSize) {
    for (int i = 0; i < kStateSize; ++i) {
      const uint32_t y = (state_[i] & kUpperMask) | (state_[(i + 1) % kStateSize] & kLowerMask);
      state_[i] = state_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    index_ = 0;
  }
  uint32_t y = state_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t CpuGenerator::random64() {
  const uint32_t hi = random();
  const uint32_t lo = random();
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

double CpuGenerator::normal_double() {
  if (next_double_normal_) {
    const double cached = *next_double_normal_;
    next_double_normal_.reset();
    return cached;
  }
  const double u1 = uniform_double(*this);
  const double u2 = uniform_double(*this);
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * kPi * u1;
  next_double_normal_ = r * std::sin(theta);
  return r * std::cos(theta);
}

Tensor randn(const Shape& shape, CpuGenerator& generator) {
  Tensor out = Tensor::empty(shape, DType::kF32);
  float* data = out.data<float>();
  const int64_t size = out.numel();
  if (size < 16) {
    for (int64_t i = 0; i < size; ++i) data[i] = static_cast<float>(generator.normal_double());
    return out;
  }
  for (int64_t i = 0; i < size; ++i) data[i] = uniform_float(generator);
  for (int64_t i = 0; i < size - 15; i += 16) normal_fill_16(data + i);
  if (size % 16 != 0) {
    // torch redraws the last 16 values (overlapping the previous block).
    float* tail = data + size - 16;
    for (int i = 0; i < 16; ++i) tail[i] = uniform_float(generator);
    normal_fill_16(tail);
  }
  return out;
}

}  // namespace foley::tensor
