#pragma once

// How the weight caches (onednn_weights.h, transformed_weight_cache.h) know a
// weight: where it lives, and 16 of its values to notice in-place writes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// A weight's place: its storage and offset (a model's weights may all be
// views of one mapped file, so the storage alone would put every weight in
// one list to scan at each lookup).
struct WeightKey {
  const Storage* storage;
  size_t offset;
  bool operator==(const WeightKey&) const = default;
};
struct WeightKeyHash {
  size_t operator()(const WeightKey& k) const {
    return std::hash<const Storage*>()(k.storage) ^ (std::hash<size_t>()(k.offset) * 0x9E3779B97F4A7C15ull);
  }
};

// 16 values spread over w[0, numel): the in-place-write guard.
inline std::array<float, 16> sample_weights(const float* w, int64_t numel) {
  std::array<float, 16> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = w[(numel - 1) * static_cast<int64_t>(i) / 15];
  return out;
}

}  // namespace foley::tensor::cpu
