#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace foley::tensor {

// Element types a Tensor can hold. CPU arithmetic is done in f32: f16/bf16 are
// storage formats (weights), i32/i64 hold token ids, masks and positions.
enum class DType : uint8_t { kF32, kF16, kBF16, kI32, kI64 };

// Bytes per element (4, 2, 2, 4, 8).
size_t dtype_size(DType dtype);

// Short lower-case name for messages: "f32", "f16", "bf16", "i32", "i64".
std::string_view dtype_name(DType dtype);

// True for f32, f16 and bf16.
bool is_floating(DType dtype);

// IEEE binary16 <-> binary32. Round to nearest even; overflow gives inf; NaN
// stays NaN (quiet, sign kept); subnormals are handled exactly both ways.
uint16_t f32_to_f16(float value);
float f16_to_f32(uint16_t bits);

// bfloat16 <-> binary32. f32 -> bf16 rounds to nearest even (as torch does);
// NaN stays NaN. bf16 -> f32 is exact.
uint16_t f32_to_bf16(float value);
float bf16_to_f32(uint16_t bits);

// Converts `count` elements between any two dtypes (float <-> int conversions
// truncate toward zero like a C cast; they are meant for small index tensors).
// `src` and `dst` must not overlap unless they are the same pointer and the
// dtypes are equal.
void convert_elements(const void* src, DType src_dtype, void* dst, DType dst_dtype, size_t count);

}  // namespace foley::tensor
