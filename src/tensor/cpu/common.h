#pragma once

// Helpers shared by the CPU op implementations.

#include <array>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "common/error.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// Throws foley::Error unless every defined tensor is on the CPU. This is where
// a CUDA build dispatches to its kernels instead.
inline void require_cpu(const char* op, std::initializer_list<const Tensor*> tensors) {
  for (const Tensor* t : tensors)
    if (t->defined() && !t->device().is_cpu())
      throw Error(std::string(op) + ": no implementation for " + t->device().to_string() + " in this build");
}

// Throws foley::Error unless `t` is defined and floating point.
inline void require_float(const char* op, const char* what, const Tensor& t) {
  if (!t.defined()) throw Error(std::string(op) + ": " + what + " is undefined");
  if (!is_floating(t.dtype())) throw Error(std::string(op) + ": " + what + " must be floating point, got " + t.to_string());
}

// f32 view of a floating tensor (no copy when already f32).
inline Tensor as_f32(const Tensor& t) { return t.defined() ? t.to(DType::kF32) : t; }

// Throws foley::Error "<op>: <message>".
[[noreturn]] inline void fail(const char* op, const std::string& message) {
  throw Error(std::string(op) + ": " + message);
}

// x * sigmoid(x) in f32, as the scalar SiLU paths compute it (vector paths: simd_math.h silu16).
inline float silu_scalar(float v) { return v / (1.0f + std::exp(-v)); }

// Per-thread buffers that the CPU kernels reuse from call to call (fresh ones would page-fault on every call),
// each grown to the largest size asked for. One slot per use that can be live at the same time.
enum class Scratch {
  kConvSrc,        // convolutions: the input copied (oneDNN direct: blocked; 1x1: planes padded)
  kConvDst,        //   the output before it is copied out
  kConvTileIn,     //   a tile's gathered input (nchw)
  kConvTileOut,    //   a tile's output (nchw)
  kConvPad,        //   the primitive's scratchpad
  kWinogradV,      // 1-D Winograd: transformed input
  kWinogradM,      //   transformed products
  kMatmulPad,      // oneDNN matmul (linear): the primitive's scratchpad
  kAttention,      // attention: a task's scores / transposed keys and values
  kCount
};
inline float* thread_scratch(Scratch slot, size_t bytes) {
  thread_local std::array<std::vector<float>, static_cast<size_t>(Scratch::kCount)> buffers;
  auto& b = buffers[static_cast<size_t>(slot)];
  if (b.size() * sizeof(float) < bytes) b.assign(bytes / sizeof(float) + 16, 0.0f);
  return b.data();
}

}  // namespace foley::tensor::cpu
