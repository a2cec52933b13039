// The AVX2 + FMA kernel table: simd_kernel_table.h on two ymm registers per 16 lanes.
//
// Every header the kernels use is included before the target pragma, so only
// the kernels below it are built for AVX2 (inline functions shared with
// baseline code must not be: the linker keeps one copy of each).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tensor/cpu/attention_problem.h"
#include "tensor/cpu/conv_narrow1d.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/conv_winograd1d_matrices.h"
#include "tensor/cpu/simd_kernels.h"

#pragma GCC target("avx2,fma")

#include "tensor/cpu/simd_avx2.h"
#include "tensor/cpu/simd_kernel_table.h"

namespace foley::tensor::cpu {

constinit const SimdKernels kSimdKernelsAvx2 = simd::kernel_table<Avx2>(Isa::kAvx2);

}  // namespace foley::tensor::cpu
