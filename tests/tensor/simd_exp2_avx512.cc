// exp2_16 built for Avx512 on its own, as the kernel tables build it (simd_exp2_test.cc).
#include <cstdint>

#pragma GCC target("avx512f")

#include "tensor/cpu/simd_avx512.h"
#include "tensor/cpu/simd_math.h"
#include "simd_exp2_loop.h"

namespace foley::tensor::testing {
void exp2_avx512(const float* x, float* y, int64_t n) { exp2_loop<cpu::Avx512>(x, y, n); }
}  // namespace foley::tensor::testing
