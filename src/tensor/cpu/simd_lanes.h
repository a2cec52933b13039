#pragma once

// Loops over n floats, 16 lanes at a time, written once for whole and partial
// vectors: the whole ones run plain loads and stores, only the last one masked.
// AMD's AVX2 cores microcode the masked store (vmaskmovps), and loops that
// masked every vector ran ~1.5x slower there than the same loop unmasked.

#include <cstdint>

namespace foley::tensor::cpu {

// The mask with every lane live: V's load, store, select, zero_unless and
// gather given it are the unmasked instructions (simd_avx2.h, simd_avx512.h).
struct AllLanes {};

namespace simd {

// body(a, live) for a = 0, 16, 32, ... below n: live is AllLanes for the whole
// vectors, V::tail(n - a) for a last partial one.
template <class V, class Body>
__attribute__((always_inline)) inline void for_each_vector(int64_t n, Body&& body) {
  int64_t a = 0;
  for (; a + 16 <= n; a += 16) body(a, AllLanes{});
  if (a < n) body(a, V::tail(n - a));
}

}  // namespace simd
}  // namespace foley::tensor::cpu
