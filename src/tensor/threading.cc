// set_num_threads / num_threads: one knob for the GEMM libraries and our loops.
#include <omp.h>

#include <atomic>
#include <thread>

#include "tensor/cpu/gemm.h"
#include "tensor/ops.h"

namespace foley::tensor {
namespace {

int all_cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::atomic<int>& thread_slot() {
  static std::atomic<int> threads{0};
  return threads;
}

}  // namespace

void set_num_threads(int n) {
  const int resolved = n <= 0 ? all_cores() : n;
  thread_slot().store(resolved);
  omp_set_num_threads(resolved);  // oneDNN and our parallel_for
  cpu::set_gemm_threads(resolved);  // OpenBLAS keeps its own pool
}

int num_threads() {
  int n = thread_slot().load();
  if (n == 0) {
    set_num_threads(0);
    n = thread_slot().load();
  }
  return n;
}

}  // namespace foley::tensor
