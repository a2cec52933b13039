#pragma once

// Internals of the CPU attention kernel (attention.cc), exposed so tests and
// benchmarks can run every code path on one machine.

#include <string_view>

namespace foley::tensor::cpu {

// The instruction set the attention kernel uses. kAuto picks AVX-512 when the
// CPU has it (checked at run time; the build targets baseline x86-64) and the
// portable scalar path otherwise.
enum class AttentionIsa { kAuto, kScalar, kAvx512 };

// Forces a path for later attention() calls (tests, benchmarks). kAvx512 on a
// CPU without AVX-512 falls back to scalar. Not thread-safe against running ops.
void set_attention_isa(AttentionIsa isa);
// The path attention() takes now (never kAuto).
AttentionIsa attention_isa();
std::string_view attention_isa_name(AttentionIsa isa);

}  // namespace foley::tensor::cpu
