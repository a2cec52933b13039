#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace foley {

// Runs fn(begin, end) over [0, n) split into contiguous chunks, one per
// hardware thread (at most 8), each at least `min_chunk` items; small inputs
// run on the calling thread. Blocks until every chunk is done. If chunks
// throw, rethrows the exception of the lowest chunk, so errors are as
// deterministic as a serial loop's. fn must only touch its own items.
template <typename Fn>
void parallel_for(size_t n, size_t min_chunk, Fn&& fn) {
  size_t hw = std::max(1u, std::thread::hardware_concurrency());
  size_t chunks = std::min<size_t>({hw, 8, std::max<size_t>(1, n / std::max<size_t>(1, min_chunk))});
  if (chunks <= 1) {
    if (n > 0) fn(size_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(chunks);
  std::vector<std::thread> threads;
  auto run = [&](size_t c) {
    try {
      fn(n * c / chunks, n * (c + 1) / chunks);
    } catch (...) {
      errors[c] = std::current_exception();
    }
  };
  for (size_t c = 1; c < chunks; ++c) threads.emplace_back(run, c);
  run(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace foley
