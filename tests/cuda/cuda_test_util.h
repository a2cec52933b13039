#pragma once

// Helpers for the CUDA parity tests: seeded inputs, CPU <-> device copies and
// the normalised mean squared error used as the per-op criterion (as ggml's
// test-backend-ops: sum((a - b)^2) / sum(b^2)).

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tensor/cuda/ops.h"
#include "tensor/cuda/runtime.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor::cuda_testing {

inline Device gpu() { return Device::cuda(0); }

// Uniform values in [lo, hi) from a fixed seed.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
  for (float& v : values) v = dist(rng);
  return Tensor::from_vector(values, shape);
}

inline Tensor up(const Tensor& host) { return host.defined() ? cuda::to_device(host, gpu()) : host; }
inline Tensor down(const Tensor& device) { return cuda::to_host(device); }

// sum((actual - expected)^2) / sum(expected^2); infinity on a NaN mismatch.
inline double nmse(const Tensor& actual, const Tensor& expected) {
  const std::vector<float> a = actual.to_vector_f32(), e = expected.to_vector_f32();
  REQUIRE(a.size() == e.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(e[i])) return INFINITY;
    if (std::isnan(e[i])) continue;
    const double d = static_cast<double>(a[i]) - e[i];
    num += d * d;
    den += static_cast<double>(e[i]) * e[i];
  }
  return den == 0 ? num : num / den;
}

// REQUIREs equal shapes and NMSE <= threshold, printing the measured value.
inline void require_nmse(const Tensor& device_result, const Tensor& cpu_result, double threshold,
                         const std::string& what) {
  REQUIRE(device_result.device().is_cuda());
  const Tensor actual = down(device_result);
  INFO(what << ": cuda " << actual.to_string() << " vs cpu " << cpu_result.to_string());
  REQUIRE(shape_to_string(actual.shape()) == shape_to_string(cpu_result.shape()));
  const double err = nmse(actual, cpu_result);
  INFO("nmse " << err << " (threshold " << threshold << ")");
  CHECK(err <= threshold);
}

// True when both tensors hold bitwise identical bytes.
inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

}  // namespace foley::tensor::cuda_testing
