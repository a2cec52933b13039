#pragma once

// Helpers shared by the CUDA op implementations (not a public header).

#include <initializer_list>
#include <string>

#include "common/error.h"
#include "tensor/cuda/runtime.h"
#include "tensor/tensor.h"

namespace foley::tensor::cuda::detail {

[[noreturn]] inline void fail(const char* op, const std::string& message) {
  throw Error(std::string(op) + " (cuda): " + message);
}

// The device of the first defined argument; throws unless every defined
// argument is on that same CUDA device (any dtype).
inline Device require_device(const char* op, std::initializer_list<const Tensor*> tensors) {
  Device device;
  bool first = true;
  for (const Tensor* t : tensors) {
    if (!t->defined()) continue;
    if (!t->device().is_cuda()) fail(op, t->to_string() + " is not on a CUDA device");
    if (first) device = t->device();
    else if (t->device() != device)
      fail(op, "arguments on different devices (" + device.to_string() + ", " + t->device().to_string() + ")");
    first = false;
  }
  if (first) fail(op, "no tensor argument is defined");
  return device;
}

// require_device, and every defined argument floating point.
inline Device require_cuda(const char* op, std::initializer_list<const Tensor*> tensors) {
  const Device device = require_device(op, tensors);
  for (const Tensor* t : tensors)
    if (t->defined() && !is_floating(t->dtype())) fail(op, t->to_string() + " must be floating point");
  return device;
}

// f32 version of a (possibly undefined) device tensor.
inline Tensor f32(const Tensor& t) { return t.defined() ? to_dtype(t, DType::kF32) : t; }

// Throws unless `t` (if defined) has exactly `n` elements.
inline void require_numel(const char* op, const char* what, const Tensor& t, int64_t n) {
  if (t.defined() && t.numel() != n)
    fail(op, std::string(what) + " " + t.to_string() + " does not have " + std::to_string(n) + " elements");
}

// Checks a CUDA call inside op `op`.
inline void launch(cudaError_t err, const char* op) { check(err, op); }

}  // namespace foley::tensor::cuda::detail
