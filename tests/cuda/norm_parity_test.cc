// CUDA vs CPU: GroupNorm (+ fused SiLU), LayerNorm, RMSNorm. The GPU reduces
// in f32 (tree order), the CPU in double, so per-element error is a few f32
// ulps of the normalised value: NMSE ~1e-13; threshold 1e-9.
#include <catch2/catch.hpp>

#include "cuda_test_util.h"

using namespace foley::tensor;
using namespace foley::tensor::cuda_testing;

namespace {
constexpr double kNormNmse = 1e-9;
}

TEST_CASE("group_norm and group_norm_silu match the CPU (VAE/UNet shapes, odd spatial, no affine)") {
  struct Case {
    Shape shape;
    int64_t groups;
    bool affine;
  };
  const Case cases[] = {{{1, 32, 7, 9}, 8, true}, {{2, 64, 5, 3}, 32, true}, {{2, 128, 33, 16}, 32, false},
                        {{1, 6, 1001}, 3, true}};
  uint32_t seed = 100;
  for (const Case& c : cases) {
    const int64_t ch = c.shape[1];
    const Tensor x = random_tensor(c.shape, seed++, -3.0f, 5.0f);
    const Tensor w = c.affine ? random_tensor({ch}, seed++, 0.5f, 1.5f) : Tensor();
    const Tensor b = c.affine ? random_tensor({ch}, seed++) : Tensor();
    const Tensor expected = group_norm(x, c.groups, w, b, 1e-6);
    const std::string what = shape_to_string(c.shape) + " groups " + std::to_string(c.groups);
    require_nmse(cuda::group_norm(up(x), c.groups, up(w), up(b), 1e-6), expected, kNormNmse, "group_norm " + what);
    require_nmse(cuda::group_norm_silu(up(x), c.groups, up(w), up(b), 1e-6), silu(expected), kNormNmse,
                 "group_norm_silu " + what);
  }
}

TEST_CASE("layer_norm and rms_norm match the CPU (text encoder widths, batch 1 and 2)") {
  const Shape shapes[] = {{1, 77, 768}, {2, 13, 1024}, {2, 5, 1000}, {3, 1}};
  uint32_t seed = 200;
  for (const Shape& s : shapes) {
    const int64_t d = s.back();
    const Tensor x = random_tensor(s, seed++, -2.0f, 3.0f);
    const Tensor w = random_tensor({d}, seed++, 0.5f, 1.5f), b = random_tensor({d}, seed++);
    require_nmse(cuda::layer_norm(up(x), up(w), up(b), 1e-5), layer_norm(x, w, b, 1e-5), kNormNmse,
                 "layer_norm " + shape_to_string(s));
    require_nmse(cuda::layer_norm(up(x), {}, {}, 1e-5), layer_norm(x, {}, {}, 1e-5), kNormNmse,
                 "layer_norm no affine " + shape_to_string(s));
    require_nmse(cuda::rms_norm(up(x), up(w), 1e-6), rms_norm(x, w, 1e-6), kNormNmse, "rms_norm " + shape_to_string(s));
  }
}

TEST_CASE("norms accept bf16 inputs on the device") {
  const Tensor x = random_tensor({2, 32, 4, 4}, 300).to(DType::kBF16);
  require_nmse(cuda::group_norm(up(x), 8, {}, {}, 1e-5), group_norm(x, 8, {}, {}, 1e-5), kNormNmse, "group_norm bf16");
}
