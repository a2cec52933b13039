#pragma once

// HiFi-GAN (SpeechT5HifiGan) kernels: direct Conv1d with an optional
// LeakyReLU fused on its input, tanh on its output and a residual add (the
// dilated resblock convs and the final conv_post), and transposed Conv1d in
// polyphase form (each output only visits the taps that reach it). Weights
// may be f32, bf16 or f16; activations are f32. Accumulation is f32 in a
// fixed order (deterministic).

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/elementwise.h"

namespace foley::kernels {

struct Conv1dParams {
  const float* x = nullptr;       // [n, c_in, l_in]
  const void* weight = nullptr;   // [c_out, c_in/groups, k]
  Elem weight_elem = Elem::kF32;
  const float* bias = nullptr;    // [c_out] or null
  const float* residual = nullptr;  // [n, c_out, l_out] added after the bias, or null
  float* y = nullptr;             // [n, c_out, l_out]
  int64_t n = 0, c_in = 0, l_in = 0, c_out = 0, l_out = 0;
  int k = 1, stride = 1, padding = 0, dilation = 1, groups = 1;
  // Input activation applied to x on load: LeakyReLU with this slope when
  // pre_leaky is set (conv(leaky(x)) as in the resblocks and conv_post).
  bool pre_leaky = false;
  float leaky_slope = 0.01f;
  bool post_tanh = false;  // y = tanh(conv + bias + residual)
};
cudaError_t conv1d_direct(const Conv1dParams& p, cudaStream_t stream);

struct ConvTranspose1dParams {
  const float* x = nullptr;      // [n, c_in, l_in]
  const void* weight = nullptr;  // [c_in, c_out/groups, k] (PyTorch layout)
  Elem weight_elem = Elem::kF32;
  const float* bias = nullptr;   // [c_out] or null
  float* y = nullptr;            // [n, c_out, l_out]
  int64_t n = 0, c_in = 0, l_in = 0, c_out = 0, l_out = 0;
  int k = 1, stride = 1, padding = 0, dilation = 1, groups = 1;
  bool pre_leaky = false;  // LeakyReLU on x before the upsampling conv
  float leaky_slope = 0.1f;
};
cudaError_t conv_transpose1d_polyphase(const ConvTranspose1dParams& p, cudaStream_t stream);

}  // namespace foley::kernels
