#pragma once

// Helpers for the tensor tests: seeded random inputs and closeness checks.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace foley::tensor::testing {

// Uniform values in [lo, hi) from a fixed seed.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
  for (float& v : values) v = dist(rng);
  return Tensor::from_vector(values, shape);
}

// Largest |a - b| / (atol + rtol |b|) over the elements; <= 1 means close.
inline double closeness(const std::vector<float>& actual, const std::vector<float>& expected, double atol,
                        double rtol) {
  REQUIRE(actual.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i]) != std::isnan(actual[i])) return INFINITY;
    if (std::isnan(expected[i])) continue;
    const double err = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    worst = std::max(worst, err / (atol + rtol * std::fabs(expected[i])));
  }
  return worst;
}

// REQUIREs shape equality and element-wise closeness.
inline void require_close(const Tensor& actual, const Shape& expected_shape, const std::vector<float>& expected,
                          double atol = 1e-5, double rtol = 1e-4) {
  REQUIRE(shape_to_string(actual.shape()) == shape_to_string(expected_shape));
  REQUIRE(actual.dtype() == DType::kF32);
  CHECK(closeness(actual.to_vector_f32(), expected, atol, rtol) <= 1.0);
}

// How far `actual` is from a double-precision reference: normalised MSE and the largest error over the
// largest |reference|.
struct Deviation {
  double nmse = 0, max_rel = 0;
};

inline Deviation deviation(const std::vector<float>& actual, const std::vector<double>& ref) {
  REQUIRE(actual.size() == ref.size());
  double err2 = 0, ref2 = 0, max_err = 0, max_ref = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = actual[i] - ref[i];
    err2 += e * e;
    ref2 += ref[i] * ref[i];
    max_err = std::max(max_err, std::fabs(e));
    max_ref = std::max(max_ref, std::fabs(ref[i]));
  }
  return {err2 / ref2, max_err / max_ref};
}

}  // namespace foley::tensor::testing
