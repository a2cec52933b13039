// CLAP take scoring benchmark, foley side: open_clap_scorer on a full-size
// random-weight checkpoint (made by make_model.py), then score() of one take
// file (decode, resample to 48 kHz, mel front end, HTSAT, text branch,
// cosine), median wall and CPU time of REPS after a warm-up. Prints one JSON line.
//
// usage: bench_clap MODEL_DIR TAKE_FILE THREADS REPS

#include <algorithm>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engines/ranking/take_scorer.h"
#include "tensor/cpu/isa.h"
#include "tensor/ops.h"

using namespace foley;

namespace {

// User + system CPU time of the process, in ms.
double cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: bench_clap MODEL_DIR TAKE_FILE THREADS REPS\n");
    return 2;
  }
  const std::filesystem::path model = argv[1], take = argv[2];
  const int threads = std::atoi(argv[3]), reps = std::atoi(argv[4]);
  tensor::set_num_threads(threads);
  auto t0 = std::chrono::steady_clock::now();
  auto scorer = engines::open_clap_scorer(model, tensor::Placement::cpu());
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::string prompt = "a dog barking in the rain";
  double score = scorer->score(prompt, {take})[0];  // warm-up
  std::vector<double> ms, cpu;
  for (int i = 0; i < reps; ++i) {
    auto s = std::chrono::steady_clock::now();
    const double c = cpu_ms();
    score = scorer->score(prompt, {take})[0];
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
    cpu.push_back(cpu_ms() - c);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("{\"impl\": \"foley\", \"bench\": \"clap_score_10s\", \"threads\": %d, \"isa\": \"%s\", "
              "\"median_ms\": %.1f, \"median_cpu_ms\": %.1f, \"load_ms\": %.0f, \"score\": %.6f}\n",
              tensor::num_threads(), std::string(tensor::cpu::isa_name(tensor::cpu::cpu_isa())).c_str(),
              ms[ms.size() / 2], cpu[cpu.size() / 2], load_ms, score);
  return 0;
}
