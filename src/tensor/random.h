#pragma once

#include <cstdint>
#include <optional>

#include "tensor/tensor.h"

namespace foley::tensor {

// A port of torch's CPU generator (at::CPUGeneratorImpl): MT19937 seeded as
// torch.Generator("cpu").manual_seed(seed) does, plus the cached second normal
// of its scalar normal path. Same seed + same sequence of calls = the same
// numbers as torch, bit for bit.
class CpuGenerator {
 public:
  explicit CpuGenerator(uint64_t seed = 67280421310721ULL);  // torch's default seed

  // Re-seeds and clears cached normals (torch's manual_seed).
  void manual_seed(uint64_t seed);

  // Next raw 32-bit output of MT19937.
  uint32_t random();
  // Next 64 bits as torch's random64(): two 32-bit outputs, first one high.
  uint64_t random64();

  // Next standard normal drawn as at::normal_distribution<double> does
  // (Box-Muller on two uniform doubles, second value cached for the next call).
  double normal_double();

 private:
  uint32_t state_[624];
  int index_ = 0;
  std::optional<double> next_double_normal_;
};

// torch.randn(shape, generator=g) for float32 on the CPU, bit for bit: the
// 16-at-a-time Box-Muller path of torch's x86 kernels (normal_fill_16_AVX2, with
// its Cephes log/sincos) when numel >= 16, the scalar double path otherwise.
// Returns an f32 tensor; advances `generator` as torch would. Checked against
// torch 2.5.1 on x86-64 (tests/fixtures/randn); torch builds without AVX2
// (e.g. ARM) use libm instead and differ in the last bits.
Tensor randn(const Shape& shape, CpuGenerator& generator);

}  // namespace foley::tensor
