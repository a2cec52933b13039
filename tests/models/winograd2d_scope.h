#pragma once

// Sends the tiny models' 3x3 convolutions (8 and 16 channels) through the 2-D
// Winograd path (tensor/cpu/conv_winograd2d.h) for a scope: its channel
// minimum lowered to 8, any tile count, and the kernels capped below AVX-512, where the path
// serves (AVX2 where the CPU has it, scalar otherwise).

#include <cstdint>

#include "tensor/cpu/conv_winograd2d.h"
#include "tensor/cpu/isa.h"

namespace foley::models::testing {

class Winograd2dScope {
 public:
  Winograd2dScope() {
    tensor::cpu::set_winograd2d_min_channels(8);
    tensor::cpu::set_winograd2d_min_tiles(1);
    tensor::cpu::set_cpu_isa(tensor::cpu::Isa::kAvx2);
  }
  ~Winograd2dScope() {
    tensor::cpu::set_winograd2d_min_channels(saved_);
    tensor::cpu::set_winograd2d_min_tiles(saved_tiles_);
    tensor::cpu::reset_cpu_isa();
  }
  Winograd2dScope(const Winograd2dScope&) = delete;
  Winograd2dScope& operator=(const Winograd2dScope&) = delete;

 private:
  int64_t saved_ = tensor::cpu::winograd2d_min_channels();
  int64_t saved_tiles_ = tensor::cpu::winograd2d_min_tiles();
};

}  // namespace foley::models::testing
