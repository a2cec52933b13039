#include "tensor/cpu/isa.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

#include "common/error.h"

namespace foley::tensor::cpu {
namespace {

Isa detected_isa() {
  // AVX2 kernels use FMA too; every AVX2 CPU we target has both, but they are separate CPUID bits.
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
  return Isa::kScalar;
}

// The CPU's best capped by FOLEY_CPU_ISA; computed (and validated) once.
Isa environment_isa() {
  static const Isa isa = [] {
    const Isa cpu = detected_isa();
    const char* env = std::getenv("FOLEY_CPU_ISA");
    if (env == nullptr || *env == '\0') return cpu;
    return std::min(cpu, parse_isa(env, "FOLEY_CPU_ISA"));
  }();
  return isa;
}

std::atomic<Isa>& override_slot() {
  static std::atomic<Isa> isa{Isa::kAvx512};
  return isa;
}

}  // namespace

Isa max_cpu_isa() { return environment_isa(); }

Isa cpu_isa() { return std::min(environment_isa(), override_slot().load(std::memory_order_relaxed)); }

void set_cpu_isa(Isa isa) { override_slot().store(isa, std::memory_order_relaxed); }

void reset_cpu_isa() { override_slot().store(Isa::kAvx512, std::memory_order_relaxed); }

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

Isa parse_isa(std::string_view text, std::string_view what) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (text == isa_name(isa)) return isa;
  throw Error(std::string(what) + ": unknown instruction set \"" + std::string(text) +
              "\" (expected scalar, avx2 or avx512)");
}

void init_onednn_isa() {
  static const bool done = [] {
    // Only a cap below AVX-512 is passed on: otherwise oneDNN keeps its own default (and ONEDNN_MAX_CPU_ISA).
    // oneDNN has no "scalar": its narrowest x86 JIT ISA is SSE4.1.
    if (environment_isa() == Isa::kAvx512 || detected_isa() == environment_isa()) return true;
    const dnnl_cpu_isa_t cap = environment_isa() == Isa::kAvx2 ? dnnl_cpu_isa_avx2 : dnnl_cpu_isa_sse41;
    const dnnl_status_t status = dnnl_set_max_cpu_isa(cap);
    if (status != dnnl_success)
      throw Error("FOLEY_CPU_ISA: oneDNN refused the ISA cap (status " + std::to_string(static_cast<int>(status)) +
                  "; it must be set before oneDNN's first use)");
    return true;
  }();
  (void)done;
}

std::string_view onednn_isa_name() {
  init_onednn_isa();
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

}  // namespace foley::tensor::cpu
