#pragma once

// Which vector instruction set the hand-written CPU kernels may use. The build
// targets baseline x86-64; the AVX2 and AVX-512 kernels are compiled with GCC
// target pragmas (simd_avx2.cc, simd_avx512.cc) and chosen here at run time.
//
// The answer is the best the CPU runs (CPUID), capped by FOLEY_CPU_ISA
// (scalar | avx2 | avx512, read once, a bad value is an error) and, for tests
// and benchmarks, by set_cpu_isa(). The environment cap is also handed to
// oneDNN (its max CPU ISA) before oneDNN's first use, so one machine can
// measure and test the narrower paths of both.

#include <string_view>

namespace foley::tensor::cpu {

// Ordered: a larger value may use everything a smaller one does.
enum class Isa { kScalar, kAvx2, kAvx512 };

// The ISA the kernels use now: the smallest of the CPU's best, the
// FOLEY_CPU_ISA cap and the set_cpu_isa() cap. Throws foley::Error on a bad
// FOLEY_CPU_ISA.
Isa cpu_isa();
// The CPU's best capped by FOLEY_CPU_ISA only: what set_cpu_isa() can reach.
Isa max_cpu_isa();
// Caps cpu_isa() for later ops (tests, benchmarks); a value above
// max_cpu_isa() gives max_cpu_isa(). Not thread-safe against running ops.
void set_cpu_isa(Isa isa);
// Removes the set_cpu_isa() cap.
void reset_cpu_isa();

std::string_view isa_name(Isa isa);
// "scalar", "avx2", "avx512"; throws foley::Error naming `what` and the
// accepted values otherwise.
Isa parse_isa(std::string_view text, std::string_view what);

// Applies the FOLEY_CPU_ISA cap to oneDNN (idempotent). Every path that
// creates a oneDNN engine or calls dnnl_sgemm calls it first: oneDNN fixes
// its ISA at its first use.
void init_onednn_isa();
// The ISA oneDNN's JIT kernels use after that cap ("avx2", "avx512_core", ...), for benchmarks to print.
std::string_view onednn_isa_name();

}  // namespace foley::tensor::cpu
