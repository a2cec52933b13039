// Device selection runs in every build (CPU-only included): these tests need
// no GPU; each asserts the branch that applies to the machine it runs on.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "tensor/cuda/select_device.h"
#include "tensor/tensor.h"

using foley::tensor::Device;
using foley::tensor::select_device;

TEST_CASE("cpu is always available and auto falls back to it without a GPU") {
  CHECK(select_device("cpu") == Device::cpu());
  const Device automatic = select_device("auto");
  if (foley::tensor::cuda_device_count() == 0) {
    CHECK(automatic == Device::cpu());
  } else {
    // A GPU whose architecture is not compiled in also falls back to the CPU.
    CHECK((automatic == Device::cuda(0) || automatic == Device::cpu()));
  }
}

TEST_CASE("requesting CUDA explains why it cannot be used") {
  if (!foley::tensor::cuda_built()) {
    CHECK(foley::tensor::cuda_device_count() == 0);
    CHECK_THROWS_WITH(select_device("cuda"), Catch::Contains("no CUDA backend"));
    CHECK_THROWS_WITH(select_device("cuda:1"), Catch::Contains("cuda:1"));
  } else if (foley::tensor::cuda_device_count() == 0) {
    CHECK_THROWS_WITH(select_device("cuda"), Catch::Contains("cuda:0") && Catch::Contains("no CUDA device"));
  } else {
    const int count = foley::tensor::cuda_device_count();
    CHECK_THROWS_WITH(select_device("cuda:" + std::to_string(count)), Catch::Contains("only"));
  }
  // Bad spellings are input errors (exit code 2) in every build.
  CHECK_THROWS_AS(select_device("gpu"), foley::Error);
  CHECK_THROWS_WITH(select_device("cuda:x"), Catch::Contains("expected cpu, cuda or cuda:N"));
}

TEST_CASE("a tensor sent to a CUDA device that cannot be used fails with the reason") {
  if (foley::tensor::cuda_device_count() > 0) {
    // A usable GPU: the round trip must be exact.
    const auto x = foley::tensor::Tensor::from_vector(std::vector<float>{1.5f, -2.0f, 3.25f});
    CHECK(x.to(Device::cuda(0)).to(Device::cpu()).to_vector_f32() == x.to_vector_f32());
    return;
  }
  const auto x = foley::tensor::Tensor::from_vector(std::vector<float>{1.0f, 2.0f});
  if (!foley::tensor::cuda_built()) {
    CHECK_THROWS_WITH(x.to(Device::cuda(0)), Catch::Contains("built without CUDA"));
  } else {
    CHECK_THROWS_WITH(x.to(Device::cuda(0)), Catch::Contains("cuda:0") && Catch::Contains("no CUDA device"));
  }
}

#ifdef FOLEY_HAVE_CUDA
#include "tensor/cuda/runtime.h"

TEST_CASE("the wrong-architecture message knows which architectures were compiled in") {
  const std::string archs = foley::tensor::cuda::compiled_architectures();
  CHECK(archs != "(unknown)");
  CHECK_THAT(archs, Catch::StartsWith("sm_"));
}
#endif
