// Attention kernel benchmark: tensor::attention against the previous
// implementation (GEMM scores over query blocks of up to 4 M floats, scalar
// softmax, second GEMM; kept below as `previous_attention`) on the shapes of
// the tiny and full-size AudioLDM 2 UNet/VAE, both in one run. Prints wall and
// process CPU ms per call (median of REPS after a warm-up) and the max relative
// difference between the two. Not run by tests or CI.
//
// usage: bench_attention THREADS REPS [ISA=auto|scalar|avx2|avx512]
// build and run: tools/bench/generation/run_attention.sh (next to this file).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <time.h>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace foley::tensor;

namespace {

// The implementation before the online-softmax kernel (git 15706e7), no bias or causal mask.
Tensor previous_attention(const Tensor& q, const Tensor& k, const Tensor& v) {
  const int64_t b = q.size(0), h = q.size(1), lq = q.size(2), d = q.size(3), lk = k.size(2), dv = v.size(3);
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
  Tensor out = Tensor::empty({b, h, lq, dv});
  const float *pq = q.data<float>(), *pk = k.data<float>(), *pv = v.data<float>();
  float* po = out.data<float>();
  const int64_t block = std::clamp<int64_t>((4 << 20) / std::max<int64_t>(1, lk), 1, lq);
  const int64_t blocks_per_head = (lq + block - 1) / block;
  const int64_t tasks = b * h * blocks_per_head;
  auto run_block = [&](int64_t task, float* scores) {
    const int64_t bh = task / blocks_per_head, q0 = (task % blocks_per_head) * block;
    const int64_t rows = std::min(block, lq - q0);
    cpu::sgemm(false, true, rows, lk, d, scale, pq + (bh * lq + q0) * d, d, pk + bh * lk * d, d, 0.0f, scores, lk);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores + r * lk;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < lk; ++i) mx = std::max(mx, row[i]);
      double sum = 0;
      for (int64_t i = 0; i < lk; ++i) sum += (row[i] = std::exp(row[i] - mx));
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t i = 0; i < lk; ++i) row[i] *= inv;
    }
    cpu::sgemm(false, false, rows, dv, lk, 1.0f, scores, lk, pv + bh * lk * dv, dv, 0.0f, po + (bh * lq + q0) * dv, dv);
  };
  if (tasks >= num_threads()) {
    const int64_t work_per_task = std::max<int64_t>(1, block * lk * (d + dv));
    cpu::parallel_for(tasks, std::max<int64_t>(1, (int64_t{1} << 16) / work_per_task), [&](int64_t b0, int64_t b1) {
      std::vector<float> scores(static_cast<size_t>(block * lk));
      for (int64_t t = b0; t < b1; ++t) run_block(t, scores.data());
    });
  } else {
    std::vector<float> scores(static_cast<size_t>(block * lk));
    for (int64_t t = 0; t < tasks; ++t) run_block(t, scores.data());
  }
  return out;
}

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

struct Timing {
  double wall_ms, cpu_ms;
};

template <typename F>
Timing median_timing(int reps, F&& f) {
  f();
  std::vector<Timing> runs;
  for (int i = 0; i < reps; ++i) {
    const double c0 = cpu_ms();
    const auto t0 = std::chrono::steady_clock::now();
    f();
    runs.push_back({std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
                    cpu_ms() - c0});
  }
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.cpu_ms < b.cpu_ms; });
  return runs[runs.size() / 2];
}

struct Shape4 {
  const char* name;
  int64_t b, h, lq, lk, d;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s THREADS REPS [auto|scalar|avx2|avx512]\n", argv[0]);
    return 2;
  }
  set_num_threads(std::atoi(argv[1]));
  const int reps = std::max(1, std::atoi(argv[2]));
  const std::string isa = argc > 3 ? argv[3] : "auto";
  if (isa != "auto") cpu::set_cpu_isa(cpu::parse_isa(isa, "ISA argument"));
  const Shape4 shapes[] = {
      {"tiny unet self L1 (b2 h8 1024 d2)", 2, 8, 1024, 1024, 2},
      {"tiny unet self L2 (b2 h8 256 d2)", 2, 8, 256, 256, 2},
      {"tiny unet cross t5 (b2 h8 1024x32 d2)", 2, 8, 1024, 32, 2},
      {"tiny vae mid (b1 h1 4096 d16)", 1, 1, 4096, 4096, 16},
      {"unet self L1 (b2 h8 1024 d32)", 2, 8, 1024, 1024, 32},
      {"unet self L2 (b2 h8 256 d48)", 2, 8, 256, 256, 48},
      {"unet cross t5 L1 (b2 h8 1024x32 d32)", 2, 8, 1024, 32, 32},
      {"unet cross gpt2 L1 (b2 h8 1024x8 d32)", 2, 8, 1024, 8, 32},
      {"vae mid (b1 h1 4096 d512)", 1, 1, 4096, 4096, 512},
  };
  std::printf("isa %s, %d threads\n", std::string(cpu::isa_name(cpu::cpu_isa())).c_str(),
              num_threads());
  std::printf("| shape | previous wall ms | previous CPU ms | new wall ms | new CPU ms | CPU speed-up | max rel diff |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const Shape4& s : shapes) {
    CpuGenerator gen(1);
    const Tensor q = randn({s.b, s.h, s.lq, s.d}, gen), k = randn({s.b, s.h, s.lk, s.d}, gen),
                 v = randn({s.b, s.h, s.lk, s.d}, gen);
    const Timing prev = median_timing(reps, [&] { previous_attention(q, k, v); });
    const Timing now = median_timing(reps, [&] { attention(q, k, v); });
    const auto a = previous_attention(q, k, v).to_vector_f32(), c = attention(q, k, v).to_vector_f32();
    double worst = 0, scale = 0;
    for (float x : a) scale = std::max(scale, static_cast<double>(std::fabs(x)));
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - c[i]));
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.1fx | %.1e |\n", s.name, prev.wall_ms, prev.cpu_ms, now.wall_ms,
                now.cpu_ms, prev.cpu_ms / now.cpu_ms, worst / scale);
    std::fflush(stdout);
  }
  return 0;
}
