// exp2_16 (tensor/cpu/simd_math.h) built for Avx2 on its own, as the kernel tables build it, for simd_exp2_test.cc.
#include <cstdint>

#pragma GCC target("avx2,fma")

#include "tensor/cpu/simd_avx2.h"
#include "tensor/cpu/simd_math.h"

namespace foley::tensor::testing {

void exp2_avx2(const float* x, float* y, int64_t n) {
  using V = cpu::Avx2;
  for (int64_t i = 0; i + 16 <= n; i += 16) V::store(y + i, cpu::simd::exp2_16<V>(V::load(x + i)));
}

}  // namespace foley::tensor::testing
