// exp2_16 built for Avx2 on its own, as the kernel tables build it (simd_exp2_test.cc).
#include <cstdint>

#pragma GCC target("avx2,fma")

#include "tensor/cpu/simd_avx2.h"
#include "tensor/cpu/simd_math.h"
#include "simd_exp2_loop.h"

namespace foley::tensor::testing {
void exp2_avx2(const float* x, float* y, int64_t n) { exp2_loop<cpu::Avx2>(x, y, n); }
}  // namespace foley::tensor::testing
