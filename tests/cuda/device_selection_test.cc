// Device selection runs in every build (CPU-only included): these tests need
// no GPU; each asserts the branch that applies to the machine it runs on.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "tensor/cuda/select_device.h"

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
