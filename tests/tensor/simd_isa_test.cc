// The run-time ISA choice (tensor/cpu/isa.h) and the vector kernels on every path this machine has
// (tensor/cpu/simd_kernels.h): AVX2 and AVX-512 run the same kernels on 16-lane vectors, so they must give the
// same bits; each must stay within the stated tolerance of the scalar loops, which use libm and round some
// products apart instead of fused. Run under FOLEY_CPU_ISA=avx2 (its CTest entry) only the AVX2 path is
// compared with scalar; the default entry on an AVX-512 machine compares all three.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "isa_util.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/isa.h"
#include "tensor/ops.h"
#include "test_util.h"

using namespace foley::tensor;
using cpu::Isa;
using foley::tensor::testing::closeness;
using foley::tensor::testing::for_each_cpu_isa;
using foley::tensor::testing::random_tensor;

namespace {

using Results = std::map<Isa, std::vector<float>>;

// fn() on every ISA path this machine has.
template <typename Fn>
Results run_each_isa(Fn&& fn) {
  Results out;
  for_each_cpu_isa([&](Isa isa) { out[isa] = fn().to_vector_f32(); });
  return out;
}

// Element-wise identical bit patterns (NaNs included).
void check_same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0 && mismatches++ == 0) first = i;
  INFO("first difference at " << first << ": " << (a.empty() ? 0.0f : a[first]) << " vs "
                              << (b.empty() ? 0.0f : b[first]));
  CHECK(mismatches == 0);
}

// AVX2 and AVX-512 bit for bit where both ran; each vector path within (atol, rtol) of scalar.
void check_paths(const Results& r, double atol, double rtol) {
  REQUIRE(r.count(Isa::kScalar) == 1);
  const auto& scalar = r.at(Isa::kScalar);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    if (!r.count(isa)) continue;
    INFO(cpu::isa_name(isa) << " against scalar");
    CHECK(closeness(r.at(isa), scalar, atol, rtol) <= 1.0);
  }
  if (r.count(Isa::kAvx2) && r.count(Isa::kAvx512)) check_same_bits(r.at(Isa::kAvx2), r.at(Isa::kAvx512));
  if (r.size() == 1) WARN("no vector path on this machine (or under this FOLEY_CPU_ISA): scalar only");
}

// Random values in [-lo, hi] with the exp clamps' edges, signed zeros, tiny and huge values spliced in; an odd
// length so the last vector is partial.
Tensor activation_input(float range, uint32_t seed) {
  auto v = random_tensor({1031}, seed, -range, range).to_vector_f32();
  const float edges[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 87.3f, -87.3f, 88.3f, -88.3f, 88.4f, -88.4f, 100.0f,
                         -100.0f, 1e4f, -1e4f, 5.0f, -5.0f, 0.5f, -0.5f};
  for (size_t i = 0; i < std::size(edges); ++i) v[7 * i + 3] = edges[i];
  return Tensor::from_vector(v, {1031});
}

}  // namespace

TEST_CASE("FOLEY_CPU_ISA values and the test cap") {
  CHECK(cpu::parse_isa("scalar", "x") == Isa::kScalar);
  CHECK(cpu::parse_isa("avx2", "x") == Isa::kAvx2);
  CHECK(cpu::parse_isa("avx512", "x") == Isa::kAvx512);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) CHECK(cpu::parse_isa(cpu::isa_name(isa), "x") == isa);
  try {
    cpu::parse_isa("AVX2", "FOLEY_CPU_ISA");
    FAIL("no error");
  } catch (const foley::Error& e) {
    CHECK(std::string(e.what()) == "FOLEY_CPU_ISA: unknown instruction set \"AVX2\" (expected scalar, avx2 or avx512)");
  }
  CHECK_THROWS_AS(cpu::parse_isa("", "FOLEY_CPU_ISA"), foley::Error);

  CHECK(cpu::cpu_isa() == cpu::max_cpu_isa());
  {
    foley::tensor::testing::IsaScope scope(Isa::kScalar);
    CHECK(cpu::cpu_isa() == Isa::kScalar);
  }
  {
    foley::tensor::testing::IsaScope scope(Isa::kAvx512);  // above what is allowed: what is allowed
    CHECK(cpu::cpu_isa() == cpu::max_cpu_isa());
  }
  CHECK(cpu::cpu_isa() == cpu::max_cpu_isa());
}

TEST_CASE("FOLEY_CPU_ISA caps the kernels and oneDNN at the named ISA where the CPU has it") {
  const char* env = std::getenv("FOLEY_CPU_ISA");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const Isa cpu_best = __builtin_cpu_supports("avx512f") ? Isa::kAvx512 : avx2 ? Isa::kAvx2 : Isa::kScalar;
  if (env == nullptr || *env == '\0') {
    CHECK(cpu::max_cpu_isa() == cpu_best);
  } else {
    const Isa cap = cpu::parse_isa(env, "FOLEY_CPU_ISA");
    INFO("FOLEY_CPU_ISA=" << env);
    CHECK(cpu::max_cpu_isa() == std::min(cap, cpu_best));
    // oneDNN gets the same cap (its narrowest JIT ISA stands for scalar).
    if (cap < cpu_best) CHECK(cpu::onednn_isa_name() == (cap == Isa::kAvx2 ? "avx2" : "sse41"));
  }
}

TEST_CASE("SiLU and GELU kernels: AVX2 equals AVX-512, both near the scalar loop") {
  const Tensor x = activation_input(30.0f, 1);
  SECTION("silu") { check_paths(run_each_isa([&] { return silu(x); }), 1e-6, 1e-5); }
  SECTION("gelu erf") { check_paths(run_each_isa([&] { return gelu(x); }), 1e-5, 1e-5); }
  SECTION("gelu tanh") { check_paths(run_each_isa([&] { return gelu(x, GeluApproximation::kTanh); }), 1e-6, 1e-5); }
  SECTION("geglu, rows of 37") {
    const Tensor g = random_tensor({3, 5, 74}, 2, -6.0f, 6.0f);
    check_paths(run_each_isa([&] { return geglu(g); }), 1e-5, 1e-5);
  }
  SECTION("non-finite inputs: the same bits on both vector paths") {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const Tensor special = Tensor::from_vector(std::vector<float>{inf, -inf, nan, -nan, 0.0f, -0.0f, 3e38f, -3e38f, 1e-45f});
    for (auto op : {+[](const Tensor& t) { return silu(t); }, +[](const Tensor& t) { return gelu(t); },
                    +[](const Tensor& t) { return gelu(t, GeluApproximation::kTanh); }}) {
      const Results r = run_each_isa([&] { return op(special); });
      if (r.count(Isa::kAvx2) && r.count(Isa::kAvx512)) check_same_bits(r.at(Isa::kAvx2), r.at(Isa::kAvx512));
    }
  }
}

TEST_CASE("group_norm_silu kernel: AVX2 equals AVX-512, both near the scalar loop") {
  const Tensor x = random_tensor({2, 32, 9, 11}, 3, -4.0f, 4.0f);  // 99 per channel: a partial last vector
  const Tensor w = random_tensor({32}, 4, 0.5f, 2.0f), b = random_tensor({32}, 5);
  check_paths(run_each_isa([&] { return group_norm_silu(x, 8, w, b, 1e-5); }), 1e-6, 1e-5);
}

TEST_CASE("norm statistics and layer_norm rows: AVX2 equals AVX-512, both near the scalar loops") {
  // Rows of 77 (one partial vector), 256, and 2500 (three blocks of the vector sums, the last partial), with and
  // without the affine; group norm over 4 x 9 x 11 and 16 x 40 x 41 elements per group (several blocks); an offset
  // mean that a one-pass variance would lose.
  for (int64_t d : {77, 256, 2500}) {
    INFO("d " << d);
    const Tensor x = add_scalar(random_tensor({3, 5, d}, 11, -2.0f, 2.0f), 100.0);
    const Tensor w = random_tensor({d}, 12, 0.5f, 2.0f), b = random_tensor({d}, 13);
    // Inputs near 100 carry 100's f32 spacing (7.6e-6) into every path's deviations: atol 3e-5.
    check_paths(run_each_isa([&] { return layer_norm(x, w, b, 1e-5); }), 3e-5, 1e-4);
    check_paths(run_each_isa([&] { return layer_norm(x, {}, {}, 1e-6); }), 3e-5, 1e-4);
  }
  const Tensor g1 = random_tensor({2, 32, 9, 11}, 14, -4.0f, 4.0f);
  const Tensor g2 = add_scalar(random_tensor({1, 64, 40, 41}, 15, -1.0f, 1.0f), 30.0);
  const Tensor w1 = random_tensor({32}, 16, 0.5f, 2.0f), b1 = random_tensor({32}, 17);
  const Tensor w2 = random_tensor({64}, 18, 0.5f, 2.0f), b2 = random_tensor({64}, 19);
  check_paths(run_each_isa([&] { return group_norm(g1, 8, w1, b1, 1e-5); }), 1e-6, 1e-5);
  check_paths(run_each_isa([&] { return group_norm(g2, 4, w2, b2, 1e-6); }), 3e-5, 1e-4);  // near 30: as above
}

TEST_CASE("attention kernels: AVX2 equals AVX-512, both near the scalar path") {
  struct Case {
    int64_t b, h, lq, lk, d, dv;
    bool causal, bias;
  };
  // Small heads (D, Dv <= 4: compile-time dims, D != Dv at run time, key counts off 16 and past one 512-key
  // block) and GEMM heads (dims from 5 up; the vector softmax step, one and several key blocks).
  const Case cases[] = {
      {2, 3, 37, 37, 1, 1, false, true},   {1, 2, 50, 61, 2, 2, true, false}, {1, 2, 20, 700, 4, 4, false, true},
      {1, 1, 33, 45, 8, 8, true, true},    {1, 1, 17, 530, 16, 16, false, false}, {1, 2, 19, 23, 5, 7, false, true},
      {1, 2, 40, 300, 32, 32, true, true}, {1, 1, 9, 1500, 40, 24, false, true}, {1, 2, 21, 600, 3, 2, false, true},
  };
  for (const Case& c : cases) {
    INFO("b " << c.b << " h " << c.h << " lq " << c.lq << " lk " << c.lk << " d " << c.d << " dv " << c.dv
              << (c.causal ? " causal" : "") << (c.bias ? " bias" : ""));
    const Tensor q = random_tensor({c.b, c.h, c.lq, c.d}, 10, -2.0f, 2.0f);
    const Tensor k = random_tensor({c.b, c.h, c.lk, c.d}, 11, -2.0f, 2.0f);
    const Tensor v = random_tensor({c.b, c.h, c.lk, c.dv}, 12);
    AttentionOptions o;
    o.causal = c.causal;
    if (c.bias) o.bias = random_tensor({1, c.h, c.lq, c.lk}, 13, -3.0f, 3.0f);
    check_paths(run_each_isa([&] { return attention(q, k, v, o); }), 1e-6, 1e-5);
  }
}

TEST_CASE("small-head attention rows whose score bound is loose take the two-pass kernel on both vector paths") {
  // k_j = (a_j, -a_j): every score q.k_j is 0 for q = (c, c), while both bounds (per-dimension extremes, and
  // |q| max |k|) are about 2 c max|a|: far too loose for the one-pass kernel, which must fall back.
  const int64_t lk = 300;
  std::vector<float> kv;
  for (int64_t j = 0; j < lk; ++j) {
    const float a = static_cast<float>(j % 41 - 20) * 3.0f;
    kv.push_back(a);
    kv.push_back(-a);
  }
  const Tensor k = Tensor::from_vector(kv, {1, 1, lk, 2});
  const Tensor q = Tensor::from_vector(std::vector<float>{8.0f, 8.0f, -8.0f, -8.0f, 0.5f, -0.25f}, {1, 1, 3, 2});
  const Tensor v = random_tensor({1, 1, lk, 2}, 14);
  check_paths(run_each_isa([&] { return attention(q, k, v); }), 1e-6, 1e-5);
}

TEST_CASE("1-D Winograd and conv epilogue kernels: AVX2 equals AVX-512, both near the scalar path") {
  struct MinChannels {
    int64_t saved = cpu::winograd1d_min_channels();
    MinChannels() { cpu::set_winograd1d_min_channels(8); }
    ~MinChannels() { cpu::set_winograd1d_min_channels(saved); }
  } min_channels;
  struct Case {
    int64_t c, len, k, dilation;
  };
  // Dilation 1 (the vector interleave: 16-tile blocks and a scalar rest), 3 and 5; 300 outputs and up.
  for (const Case& c : {Case{16, 301, 3, 1}, Case{12, 320, 7, 3}, Case{8, 355, 11, 5}}) {
    INFO("channels " << c.c << " length " << c.len << " kernel " << c.k << " dilation " << c.dilation);
    REQUIRE(cpu::winograd1d_wanted(c.c, c.c, c.k, 1, 1, c.len));
    const Tensor x = random_tensor({2, c.c, c.len}, 20), w = random_tensor({c.c, c.c, c.k}, 21, -0.3f, 0.3f);
    const Tensor b = random_tensor({c.c}, 22), r1 = random_tensor({2, c.c, c.len}, 23),
                 r2 = random_tensor({2, c.c, c.len}, 24);
    Conv1dOptions options;
    options.padding = c.dilation * (c.k - 1) / 2;
    options.dilation = c.dilation;
    Conv1dFusion fusion;
    fusion.input_slope = 0.1;
    fusion.residual = r1;
    fusion.residual2 = r2;
    fusion.output_scale = 0.5;
    fusion.output_slope = 0.2;
    // Sums of up to 11 x 16 products of values under 1: the scalar transforms round apart, the vector ones fused.
    check_paths(run_each_isa([&] { return conv1d_fused(x, w, b, options, fusion); }), 1e-5, 1e-4);
    check_paths(run_each_isa([&] { return conv1d(x, w, b, options); }), 1e-5, 1e-4);
  }
}

TEST_CASE("the conv epilogue kernel of the tiled direct convolution: AVX2 equals AVX-512, both near scalar") {
  // Rows past 4096 outputs and too few channels for Winograd: oneDNN's direct convolution, our epilogue.
  {
    const Tensor x = random_tensor({1, 4, 9001}, 25), w = random_tensor({4, 4, 3}, 26), b = random_tensor({4}, 27);
    Conv1dOptions options;
    options.padding = 1;
    Conv1dFusion fusion;
    fusion.residual = random_tensor({1, 4, 9001}, 28);
    fusion.output_scale = 0.7;
    fusion.output_slope = 0.1;
    check_paths(run_each_isa([&] { return conv1d_fused(x, w, b, options, fusion); }), 1e-6, 1e-5);
  }
}
