// The weight caches behind the CPU kernels: oneDNN layouts (cpu/onednn_weights.h) and algorithm transforms
// (cpu/transformed_weight_cache.h). What they keep after a weight is gone decides what a server that swaps models holds.
#include <catch2/catch.hpp>

#include <oneapi/dnnl/dnnl.hpp>

#include "tensor/cpu/onednn_weights.h"
#include "tensor/cpu/transformed_weight_cache.h"
#include "test_util.h"

using namespace foley::tensor;
using foley::tensor::testing::random_tensor;

TEST_CASE("a oneDNN weight layout cache frees the copies of weights gone at its next new entry") {
  using dnnl::memory;
  cpu::OneDnnWeightCache cache(2);
  const memory::desc md({8, 4}, memory::data_type::f32, memory::format_tag::ab);
  const memory::desc transposed({8, 4}, memory::data_type::f32, memory::format_tag::ba);
  Tensor kept = random_tensor({8, 4}, 1);
  {
    const Tensor gone = random_tensor({8, 4}, 2);
    cache.find(gone, gone, md, transposed);
    cache.find(kept, kept, md, transposed);
    CHECK(cache.size() == 2);
  }
  CHECK(cache.size() == 1);  // the model's weight is gone ...
  CHECK(cache.held() == 2);  // ... and its copy still held until the next new entry
  const Tensor next = random_tensor({8, 4}, 3);
  const memory copy = cache.find(next, next, md, transposed);
  CHECK(cache.held() == 2);  // kept's and next's
  // The copy holds next's values in the layout asked for: element (r, c) at c * 8 + r.
  const auto* p = static_cast<const float*>(copy.get_data_handle());
  const auto v = next.to_vector_f32();
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 4; ++c) CHECK(p[c * 8 + r] == v[static_cast<size_t>(r * 4 + c)]);
  // Found again, not copied again.
  CHECK(cache.find(next, next, md, transposed).get_data_handle() == copy.get_data_handle());
}

TEST_CASE("a transformed weight cache frees the transforms of weights gone at its next new entry") {
  cpu::TransformedWeightCache<int> cache;
  int made = 0;
  auto make = [&](const Tensor&) { return ++made; };
  const Tensor kept = random_tensor({4, 4}, 1);
  {
    const Tensor gone = random_tensor({4, 4}, 2);
    cache.find(gone, gone, make);
    cache.find(kept, kept, make);
  }
  CHECK(cache.size() == 1);
  CHECK(cache.held() == 2);
  const Tensor next = random_tensor({4, 4}, 3);
  CHECK(*cache.find(next, next, make) == 3);
  CHECK(cache.held() == 2);
  CHECK(*cache.find(kept, kept, make) == 2);  // still the first transform of kept
  CHECK(made == 3);
}

TEST_CASE("weight caches keep weights that share one storage apart by offset") {
  // A model's weights are views of one mapped file: one storage, many offsets.
  using dnnl::memory;
  const Tensor file = random_tensor({3, 8, 4}, 4);
  const Tensor a = file.narrow(0, 0, 1).reshape({8, 4}), b = file.narrow(0, 1, 1).reshape({8, 4});
  const Tensor c = file.narrow(0, 2, 1).reshape({8, 4});
  REQUIRE(a.storage() == b.storage());
  cpu::OneDnnWeightCache cache(2);
  const memory::desc md({8, 4}, memory::data_type::f32, memory::format_tag::ab);
  const memory::desc ba({8, 4}, memory::data_type::f32, memory::format_tag::ba);
  const memory::desc same({8, 4}, memory::data_type::f32, memory::format_tag::ab);
  const memory a_ba = cache.find(a, a, md, ba), b_ba = cache.find(b, b, md, ba);
  CHECK(a_ba.get_data_handle() != b_ba.get_data_handle());
  const auto* pa = static_cast<const float*>(a_ba.get_data_handle());
  const auto* pb = static_cast<const float*>(b_ba.get_data_handle());
  CHECK(pa[1] == a.to_vector_f32()[4]);  // element (1, 0) of a
  CHECK(pb[1] == b.to_vector_f32()[4]);
  // A second layout of a, and c's: b's and a's first copies are still the ones found.
  cache.find(a, a, md, same);
  CHECK(cache.size() == 3);
  cache.find(c, c, md, ba);
  CHECK(cache.size() == 4);
  CHECK(cache.find(b, b, md, ba).get_data_handle() == b_ba.get_data_handle());
  CHECK(cache.find(a, a, md, ba).get_data_handle() == a_ba.get_data_handle());

  cpu::TransformedWeightCache<int> transforms;
  int made = 0;
  auto make = [&](const Tensor&) { return ++made; };
  CHECK(*transforms.find(a, a, make) == 1);
  CHECK(*transforms.find(b, b, make) == 2);
  CHECK(*transforms.find(a, a, make) == 1);
  CHECK(made == 2);
}
