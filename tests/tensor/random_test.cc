#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <random>

#include "tensor/random.h"
#include "tensor/safetensors.h"

using namespace foley::tensor;

TEST_CASE("CpuGenerator's MT19937 equals std::mt19937 for 32-bit seeds") {
  for (uint32_t seed : {0u, 1u, 42u, 5489u, 0xffffffffu}) {
    CpuGenerator g(seed);
    std::mt19937 reference(seed);
    for (int i = 0; i < 2000; ++i) REQUIRE(g.random() == reference());
  }
  // torch seeds with the low 32 bits of the 64-bit seed.
  CpuGenerator big((uint64_t{7} << 32) | 42u);
  CpuGenerator small(42);
  CHECK(big.random() == small.random());
}

TEST_CASE("scalar normals come in cached pairs") {
  CpuGenerator a(3), b(3);
  const double first = a.normal_double();
  const double second = a.normal_double();  // the cached sine half
  CHECK(first != second);
  b.normal_double();
  b.manual_seed(3);  // reseeding drops the cached value
  CHECK(b.normal_double() == first);
}

TEST_CASE("randn reproduces torch.randn bit for bit (tests/fixtures/randn)") {
  const std::filesystem::path path = std::filesystem::path(FOLEY_SOURCE_DIR) / "tests/fixtures/randn/randn.safetensors";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " not present (made by tools/golden/make_randn.py)");
    return;
  }
  const SafetensorsFile file = SafetensorsFile::open(path);
  int compared = 0;
  for (const SafetensorsEntry& e : file.header().entries) {
    if (e.dtype_name != "F32") continue;  // float64 draws are not a foley dtype
    // Names are seed{S}.n{N} or seed{S}.shape{A}x{B}...
    REQUIRE(e.name.rfind("seed", 0) == 0);
    const uint64_t seed = std::stoull(e.name.substr(4, e.name.find('.') - 4));
    CpuGenerator generator(seed);
    const Tensor actual = randn(e.shape, generator);
    const Tensor expected = file.get(e.name);
    INFO(e.name);
    REQUIRE(actual.shape() == expected.shape());
    REQUIRE(std::memcmp(actual.raw_data(), expected.raw_data(), actual.nbytes()) == 0);
    ++compared;
  }
  CHECK(compared >= 10);
}
