// A port of torch's CPU random normal sampling (at::CPUGeneratorImpl with
// at::mt19937; aten/src/ATen/native/cpu/DistributionTemplates.h normal_kernel;
// ATen/core/DistributionsHelper.h). Every cast below mirrors the reference:
// changing a float to a double changes the last bits and breaks bit equality.
#include "tensor/random.h"

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

// normal_fill_16 (scalar version, used by torch's default and AVX-512 CPU
// kernels): Box-Muller on 8 pairs (data[j], data[j + 8]) of uniforms.
void normal_fill_16(float* data) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1 - data[j];  // [0, 1) -> (0, 1] for log
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2 * std::log(u1));
    const float theta = static_cast<float>(2.0f * kPi * u2);
    data[j] = radius * std::cos(theta);
    data[j + 8] = radius * std::sin(theta);
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
