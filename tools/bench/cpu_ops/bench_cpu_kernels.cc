// bench_cpu_kernels: the hand-written CPU kernels (tensor/cpu/simd_kernels.h) on each ISA path this machine has,
// side by side in one run: scalar, AVX2 and AVX-512, capped per row with cpu::set_cpu_isa (oneDNN, which the
// Winograd GEMMs and the attention GEMMs call, keeps its own ISA: FOLEY_CPU_ISA caps both for a whole run).
// Usage: bench_cpu_kernels [--threads N] (default 1: a kernel's own speed, not the machine's load).
// Each figure is the best of several timed runs after a warm-up, in ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/cpu/isa.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace foley::tensor;

namespace {

double best_ms(const std::function<void()>& fn, double min_total = 0.3) {
  fn();  // warm-up
  double best = 1e30, total = 0;
  int runs = 0;
  while (runs < 3 || (total < min_total && runs < 30)) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s);
    total += s;
    ++runs;
  }
  return best * 1e3;
}

Tensor random(const Shape& shape, uint64_t seed, double factor = 1.0) {
  CpuGenerator gen(seed);
  return scale(randn(shape, gen), factor);
}

struct Row {
  const char* kernel;
  const char* shape;
  std::function<void()> run;
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
  set_num_threads(threads);
  cpu::set_winograd1d_min_channels(64);

  const Tensor act = random({2, 320, 64, 16}, 1, 3.0);  // a UNet level-1 feature map
  const Tensor geglu_in = random({2, 1024, 2560}, 2);   // the UNet's feed-forward at 320 channels
  const Tensor gn_w = random({320}, 3), gn_b = random({320}, 4);
  const Tensor q2 = random({2, 8, 1024, 2}, 5), k2 = random({2, 8, 1024, 2}, 6), v2 = random({2, 8, 1024, 2}, 7);
  const Tensor q16 = random({1, 1, 4096, 16}, 8), k16 = random({1, 1, 4096, 16}, 9), v16 = random({1, 1, 4096, 16}, 10);
  const Tensor q32 = random({2, 8, 1024, 32}, 11), k32 = random({2, 8, 1024, 32}, 12), v32 = random({2, 8, 1024, 32}, 13);
  const Tensor wx = random({1, 128, 8192}, 14), ww3 = random({128, 128, 3}, 15, 0.05), ww7 = random({128, 128, 7}, 16, 0.05);
  const Tensor wb = random({128}, 17), wr = random({1, 128, 8192}, 18);
  Conv1dOptions d1, d3;
  d1.padding = 1;
  d3.padding = 9;
  d3.dilation = 3;
  Conv1dFusion resblock;  // HiFi-GAN's: leaky ReLU in, residual added
  resblock.input_slope = 0.1;
  resblock.residual = wr;

  const std::vector<Row> rows = {
      {"silu", "2x320x64x16", [&] { silu(act); }},
      {"gelu (erf)", "2x320x64x16", [&] { gelu(act); }},
      {"gelu (tanh)", "2x320x64x16", [&] { gelu(act, GeluApproximation::kTanh); }},
      {"geglu", "2x1024x2560", [&] { geglu(geglu_in); }},
      {"group_norm_silu", "2x320x64x16, 32 groups", [&] { group_norm_silu(act, 32, gn_w, gn_b, 1e-5); }},
      {"attention, small heads", "2x8x1024x1024, d 2", [&] { attention(q2, k2, v2); }},
      {"attention, small heads", "1x1x4096x4096, d 16", [&] { attention(q16, k16, v16); }},
      {"attention, GEMM + softmax", "2x8x1024x1024, d 32", [&] { attention(q32, k32, v32); }},
      {"conv1d Winograd k3 d1, fused", "128 ch x 8192", [&] { conv1d_fused(wx, ww3, wb, d1, resblock); }},
      {"conv1d Winograd k7 d3, fused", "128 ch x 8192", [&] { conv1d_fused(wx, ww7, wb, d3, resblock); }},
  };

  const cpu::Isa best = cpu::max_cpu_isa();
  std::printf("%d thread(s); kernels up to %s, oneDNN %s; best of >= 3 runs, ms\n\n", num_threads(),
              std::string(cpu::isa_name(best)).c_str(), std::string(cpu::onednn_isa_name()).c_str());
  std::printf("| kernel | shape | scalar | avx2 | avx512 | avx2 speed-up over scalar | avx512 speed-up over avx2 |\n|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    double ms[3] = {0, 0, 0};
    for (cpu::Isa isa : {cpu::Isa::kScalar, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
      if (isa > best) break;
      cpu::set_cpu_isa(isa);
      ms[static_cast<int>(isa)] = best_ms(row.run);
    }
    cpu::reset_cpu_isa();
    auto cell = [](double v) { return v > 0 ? std::to_string(v).substr(0, std::to_string(v).find('.') + 3) : "-"; };
    auto ratio = [](double a, double b) { return a > 0 && b > 0 ? std::to_string(a / b).substr(0, 4) + "x" : "-"; };
    std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", row.kernel, row.shape, cell(ms[0]).c_str(),
                cell(ms[1]).c_str(), cell(ms[2]).c_str(), ratio(ms[0], ms[1]).c_str(), ratio(ms[1], ms[2]).c_str());
  }
  return 0;
}
