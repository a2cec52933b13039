#pragma once

// Helpers for comparing engine outputs with the diffusers goldens in
// tests/fixtures/golden/<model>/ (made by tools/golden/dump_goldens.py).

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "tensor/cuda/select_device.h"
#include "tensor/device.h"
#include "tensor/tensor.h"

namespace foley::models::testing {

inline std::filesystem::path source_dir() {
  const char* env = std::getenv("FOLEY_SOURCE_DIR");
  return env ? std::filesystem::path(env) : std::filesystem::path(FOLEY_SOURCE_DIR);
}
inline std::filesystem::path model_dir(const std::string& model) { return source_dir() / "tests/fixtures" / model; }
inline std::filesystem::path golden_dir(const std::string& model) {
  return source_dir() / "tests/fixtures/golden" / model;
}

// The device the golden tests that honour it run the models on: FOLEY_TEST_DEVICE ("cpu" when unset, "cuda",
// "cuda:N", "auto"), resolved by select_device, so a build or machine that cannot run it fails naming why.
inline tensor::Device test_device() {
  const char* env = std::getenv("FOLEY_TEST_DEVICE");
  return tensor::select_device(env && *env ? env : "cpu");
}
inline bool testing_on_cuda() { return test_device().is_cuda(); }

// Model::load(dir) onto FOLEY_TEST_DEVICE (the CPU when unset).
template <typename Model>
Model load_on_test_device(const std::filesystem::path& dir) {
  return Model::load(dir, tensor::Placement::on(test_device()));
}

// One "conditioning" case of a golden index.json.
struct GoldenCase {
  std::string name;
  std::string prompt;
  std::optional<std::string> negative_prompt;
  std::filesystem::path file;
};

inline std::vector<GoldenCase> conditioning_cases(const std::string& model) {
  auto index = nlohmann::json::parse(foley::read_file(golden_dir(model) / "index.json"));
  std::vector<GoldenCase> out;
  for (const auto& c : index.at("cases")) {
    if (c.value("kind", "") != "conditioning") continue;
    GoldenCase g;
    g.name = c.at("name").get<std::string>();
    g.prompt = c.at("prompt").get<std::string>();
    if (!c.at("negative_prompt").is_null()) g.negative_prompt = c.at("negative_prompt").get<std::string>();
    g.file = golden_dir(model) / c.at("file").get<std::string>();
    out.push_back(g);
  }
  return out;
}

// Normalised MSE sum((a-b)^2)/sum(b^2) and max |a-b| of `actual` against
// the reference `expected` (same number of elements).
// ref_max_abs is max |expected|, for bounds relative to the reference's scale.
// `actual` may live on any device: it is compared from a host copy.
struct Error {
  double nmse = 0;
  double max_abs = 0;
  double ref_max_abs = 0;
};

inline Error compare(const tensor::Tensor& actual, const tensor::Tensor& expected) {
  std::vector<float> a = actual.to(tensor::Device::cpu()).to_vector_f32(), b = expected.to_vector_f32();
  Error e;
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    num += d * d;
    den += static_cast<double>(b[i]) * b[i];
    e.max_abs = std::max(e.max_abs, std::fabs(d));
    e.ref_max_abs = std::max(e.ref_max_abs, std::fabs(static_cast<double>(b[i])));
  }
  e.nmse = den > 0 ? num / den : num;
  return e;
}

// Prints measured errors when FOLEY_ENGINE_METRICS is set (to refresh the
// table in docs/engine.md).
inline void report(const std::string& what, const Error& e) {
  if (std::getenv("FOLEY_ENGINE_METRICS"))
    std::printf("%-48s nmse %.3e  max_abs %.3e  (ref max %.3e)\n", what.c_str(), e.nmse, e.max_abs, e.ref_max_abs);
}

}  // namespace foley::models::testing
