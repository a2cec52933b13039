#pragma once

#include <algorithm>
#include <cstdint>

#include <omp.h>

#include "tensor/ops.h"

namespace foley::tensor::cpu {

// Runs fn(begin, end) over [0, n) split into at most num_threads() contiguous
// ranges of at least `grain` items each. Runs inline when the work is small or
// when already inside a parallel region. Uses OpenMP (libgomp), the same
// runtime oneDNN uses, so the two never oversubscribe the cores.
template <typename Fn>
void parallel_for(int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
  const int64_t chunks = std::min<int64_t>(num_threads(), max_chunks);
  if (chunks <= 1 || omp_in_parallel()) {
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) fn(n * c / chunks, n * (c + 1) / chunks);
}

}  // namespace foley::tensor::cpu
