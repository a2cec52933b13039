#pragma once

#include <string>

#include "tensor/dtype.h"

namespace foley::tensor {

// Where a tensor's bytes live: the CPU, or CUDA device N (tensor/backend.h
// holds each backend's table; select_device() resolves a device setting).
struct Device {
  enum class Type { kCpu, kCuda };

  Type type = Type::kCpu;
  int index = 0;  // CUDA ordinal; always 0 for the CPU

  static Device cpu() { return Device{}; }
  static Device cuda(int index = 0) { return Device{Type::kCuda, index}; }

  bool is_cpu() const { return type == Type::kCpu; }
  bool is_cuda() const { return type == Type::kCuda; }

  // "cpu" or "cuda:N".
  std::string to_string() const;

  // Parses "cpu", "cuda" (= cuda:0) or "cuda:N". Throws foley::Error (input)
  // naming the text when it is anything else.
  static Device parse(const std::string& text);

  friend bool operator==(const Device&, const Device&) = default;
};

// Where a model's weights go when it is loaded: the device, and the dtype that
// matrix weights (linear, convolution) are stored in there. Vectors (biases,
// norm weights) and embedding tables always stay f32. On the CPU matrix_dtype
// is f32; on CUDA bf16 (the default) or f16 halves the weights' memory and is
// what the GEMMs read anyway.
struct Placement {
  Device device;
  DType matrix_dtype = DType::kF32;

  static Placement cpu() { return Placement{}; }
  // `device` with the matrix dtype that suits it (bf16 on CUDA, f32 on the CPU).
  static Placement on(Device device) {
    return Placement{device, device.is_cuda() ? DType::kBF16 : DType::kF32};
  }
};

// True when this build has the CUDA backend and the driver reports a device.
// Always false in a CPU-only build.
bool cuda_available();

}  // namespace foley::tensor
