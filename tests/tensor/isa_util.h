#pragma once

// Running a test body on every CPU kernel path this machine has.

#include <catch2/catch.hpp>

#include "tensor/cpu/isa.h"

namespace foley::tensor::testing {

// Caps the kernels at `isa` for its lifetime (to max_cpu_isa() where the CPU
// or FOLEY_CPU_ISA allow less), then lifts the cap.
class IsaScope {
 public:
  explicit IsaScope(cpu::Isa isa) { cpu::set_cpu_isa(isa); }
  ~IsaScope() { cpu::reset_cpu_isa(); }
  IsaScope(const IsaScope&) = delete;
  IsaScope& operator=(const IsaScope&) = delete;
};

// Runs body(isa) once per path up to max_cpu_isa(): scalar always, then AVX2
// and AVX-512 where the CPU (and FOLEY_CPU_ISA) allow.
template <typename Body>
void for_each_cpu_isa(Body&& body) {
  for (cpu::Isa isa : {cpu::Isa::kScalar, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    if (isa > cpu::max_cpu_isa()) break;
    IsaScope scope(isa);
    INFO("isa " << cpu::isa_name(isa));
    body(isa);
  }
}

}  // namespace foley::tensor::testing
