#include "tensor/dtype.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "common/error.h"

namespace foley::tensor {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kI32: return 4;
    case DType::kI64: return 8;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kI32: return "i32";
    case DType::kI64: return "i64";
  }
  return "?";
}

bool is_floating(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kF16 || dtype == DType::kBF16;
}

uint16_t f32_to_f16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));  // NaN, quiet
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {
    // Result is an f16 subnormal (or zero): value = m * 2^-24 with m < 1024.
    // Adding 0.5 (as f32) shifts the mantissa so that the FPU's round-to-nearest-even
    // produces exactly the f16 subnormal bits in the low mantissa bits.
    const float shifted = std::bit_cast<float>(abs) + 0.5f;
    return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(shifted) - 0x3f000000u));
  }
  // Normal: rebias exponent (127 -> 15) and round mantissa 23 -> 10 bits, nearest even.
  const uint32_t odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + 0xc8000fffu + odd;  // -(112 << 23) + 0xfff + odd
  return static_cast<uint16_t>(sign | (rounded >> 13));
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN
  } else if (exponent == 0) {
    if (mantissa == 0) return std::bit_cast<float>(sign);
    // Subnormal: exact value m * 2^-24.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

uint16_t f32_to_bf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  const uint32_t rounding_bias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding_bias) >> 16);
}

float bf16_to_f32(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

namespace {

template <typename Src>
void store_all(const Src* src, DType dst_dtype, void* dst, size_t n) {
  switch (dst_dtype) {
    case DType::kF32: {
      auto* d = static_cast<float*>(dst);
      for (size_t i = 0; i < n; ++i) d[i] = static_cast<float>(src[i]);
      break;
    }
    case DType::kF16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < n; ++i) d[i] = f32_to_f16(static_cast<float>(src[i]));
      break;
    }
    case DType::kBF16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < n; ++i) d[i] = f32_to_bf16(static_cast<float>(src[i]));
      break;
    }
    case DType::kI32: {
      auto* d = static_cast<int32_t*>(dst);
      for (size_t i = 0; i < n; ++i) d[i] = static_cast<int32_t>(src[i]);
      break;
    }
    case DType::kI64: {
      auto* d = static_cast<int64_t*>(dst);
      for (size_t i = 0; i < n; ++i) d[i] = static_cast<int64_t>(src[i]);
      break;
    }
  }
}

}  // namespace

void convert_elements(const void* src, DType src_dtype, void* dst, DType dst_dtype, size_t count) {
  if (src_dtype == dst_dtype) {
    if (src != dst) std::memcpy(dst, src, count * dtype_size(src_dtype));
    return;
  }
  constexpr size_t kBlock = 1024;
  switch (src_dtype) {
    case DType::kF32: store_all(static_cast<const float*>(src), dst_dtype, dst, count); break;
    case DType::kI32: store_all(static_cast<const int32_t*>(src), dst_dtype, dst, count); break;
    case DType::kI64: store_all(static_cast<const int64_t*>(src), dst_dtype, dst, count); break;
    case DType::kF16:
    case DType::kBF16: {
      // Widen through a small f32 buffer, then store.
      const auto* s = static_cast<const uint16_t*>(src);
      float buffer[kBlock];
      const size_t out_size = dtype_size(dst_dtype);
      for (size_t start = 0; start < count; start += kBlock) {
        const size_t n = std::min(kBlock, count - start);
        for (size_t i = 0; i < n; ++i)
          buffer[i] = src_dtype == DType::kF16 ? f16_to_f32(s[start + i]) : bf16_to_f32(s[start + i]);
        store_all(buffer, dst_dtype, static_cast<char*>(dst) + start * out_size, n);
      }
      break;
    }
  }
}

}  // namespace foley::tensor
