#pragma once

// Kernels that move elements of any dtype: strided copies (permutes, narrows,
// slices, concatenation, padding), row gathers (index_select, embeddings),
// fills, conversions between any two dtypes, and integer arithmetic. All
// pointers are device pointers; every launch returns the launch's cudaError_t.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/elementwise.h"

namespace foley::kernels {

// Every dtype a tensor may hold.
enum class Dtype : int { kF32 = 0, kF16 = 1, kBF16 = 2, kI32 = 3, kI64 = 4 };

// Up to 8 dims: y[i] = x[i] for every index i of `shape`, x and y each read /
// written through their own element strides. elem_bytes is 1, 2, 4 or 8.
struct StridedCopy {
  static constexpr int kMaxRank = 8;
  int rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t x_stride[kMaxRank] = {};
  int64_t y_stride[kMaxRank] = {};
};
cudaError_t strided_copy(const void* x, void* y, const StridedCopy& copy, int elem_bytes, cudaStream_t stream);

// y [outer, count, inner] = x [outer, size, inner] at rows index[0..count) (i32 or i64
// indices, already checked to lie in [0, size)).
cudaError_t gather_rows(const void* x, const void* index, bool index_i64, void* y, int64_t outer, int64_t size,
                        int64_t count, int64_t inner, int elem_bytes, cudaStream_t stream);

// n elements of `elem_bytes` each set to the low bytes of `bits`.
cudaError_t fill(void* y, int64_t n, uint64_t bits, int elem_bytes, cudaStream_t stream);

// n elements converted from one dtype to another like a C++ static_cast
// (floats to integers truncate toward zero; f16/bf16 round to nearest even).
cudaError_t convert_any(const void* x, Dtype from, void* y, Dtype to, int64_t n, cudaStream_t stream);

// y = a (op) b on integers of one dtype (i32 or i64) with numpy broadcasting
// (bc as for binary_f32); division truncates toward zero (divisors are
// checked non-zero before the launch).
cudaError_t binary_int(Binary op, const void* a, const void* b, void* y, const Broadcast& bc, bool i64,
                       cudaStream_t stream);

}  // namespace foley::kernels
