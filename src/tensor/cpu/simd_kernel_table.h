#pragma once

// The SimdKernels table of the vector interface V: included by
// simd_avx512.cc and simd_avx2.cc after their target pragmas, so every
// kernel here is compiled for that file's ISA. Every header these kernels
// include must already be included above the pragma (the target would
// otherwise reach inline functions shared with baseline code).

#include "tensor/cpu/activation_simd.h"
#include "tensor/cpu/attention_simd.h"
#include "tensor/cpu/conv_narrow1d_simd.h"
#include "tensor/cpu/conv_winograd1d_simd.h"
#include "tensor/cpu/conv_winograd2d_simd.h"
#include "tensor/cpu/norm_simd.h"
#include "tensor/cpu/simd_kernels.h"

namespace foley::tensor::cpu::simd {

template <class V>
constexpr SimdKernels kernel_table(Isa isa) {
  return SimdKernels{
      .isa = isa,
      .silu = map<V, SiluOp>,
      .gelu_erf = map<V, GeluErfOp>,
      .gelu_tanh = map<V, GeluTanhOp>,
      .geglu = geglu<V>,
      .affine_silu = affine_silu<V>,
      .norm_sum = norm_sum<V>,
      .norm_sum_sq_dev = norm_sum_sq_dev<V>,
      .layer_norm_rows = layer_norm_rows<V>,
      .softmax_block = softmax_block<V>,
      .small_heads = pick_small_heads<V>,
      .winograd_gather = winograd_gather<V>,
      .winograd_input_transform = winograd_input_transform<V>,
      .winograd_output_transform = winograd_output_transform<V>,
      .winograd_interleave = winograd_interleave<V>,
      .conv1d_epilogue = conv1d_epilogue<V>,
      .narrow_conv1d = narrow_conv1d<V>,
      .winograd2d_input_rows = winograd2d_input_rows<V>,
      .winograd2d_output_rows = winograd2d_output_rows<V>,
  };
}

}  // namespace foley::tensor::cpu::simd
