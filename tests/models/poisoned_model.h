#pragma once

// Copies of the tiny AudioLDM 2 model with a NaN planted in one weight: a
// corrupt checkpoint, for the tests that a generation never writes
// non-finite audio (tests/models and tests/engines).

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <string>

#include "tensor/safetensors.h"

namespace foley::models::testing {

// Copies tests/fixtures/tiny-audioldm2 to `dir` (replacing what is there).
inline void copy_tiny_model(const std::filesystem::path& dir) {
  const char* env = std::getenv("FOLEY_SOURCE_DIR");
  const auto source = std::filesystem::path(env ? env : FOLEY_SOURCE_DIR) / "tests/fixtures/tiny-audioldm2";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(source, dir, std::filesystem::copy_options::recursive);
}

// Rewrites a weights file with the first element of tensor `name` set to NaN.
inline void poison_weight(const std::filesystem::path& file, const std::string& name) {
  std::map<std::string, tensor::Tensor> tensors;
  {
    auto weights = tensor::SafetensorsFile::open(file);
    for (const auto& n : weights.names()) tensors[n] = weights.get(n).clone();
  }
  REQUIRE(tensors.count(name) == 1);
  tensors[name].data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  tensor::save_safetensors(file, tensors, {});
}

}  // namespace foley::models::testing
