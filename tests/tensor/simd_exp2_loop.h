#pragma once

// exp2_16 (tensor/cpu/simd_math.h) over an array on the vector V, for simd_exp2_test.cc: included by one file per
// ISA after its target pragma and vector header, as the kernel tables are.

#include <cstdint>

namespace foley::tensor::testing {

template <class V>
void exp2_loop(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i + 16 <= n; i += 16) V::store(y + i, cpu::simd::exp2_16<V>(V::load(x + i)));
}

}  // namespace foley::tensor::testing
