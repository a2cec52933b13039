#pragma once

// Fused attention: softmax(q k^T * scale + bias [+ causal]) v without
// materialising the score matrix.
// - Tensor-core path (WMMA bf16 16x16x16, f32 accumulate, online softmax in
//   f32): head dim d == dv, a multiple of 16 and <= 96 (the UNet's 32/48/80
//   and the text encoders' 64). Q, K, V are rounded to bf16 on load.
// - Memory-efficient path for everything else (the VAE mid-block's single
//   512-wide head over up to ~60k tokens, odd head dims): f32 throughout,
//   query tiles of 8, key tiles streamed through shared memory.
// Both paths reduce in a fixed order: the result is bitwise reproducible.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace foley::kernels {

struct AttentionParams {
  const float* q = nullptr;  // [batch, heads, lq, d]
  const float* k = nullptr;  // [batch, heads, lk, d]
  const float* v = nullptr;  // [batch, heads, lk, dv]
  float* o = nullptr;        // [batch, heads, lq, dv]
  // Additive bias indexed bias[b*bias_stride_b + h*bias_stride_h + i*bias_stride_q + j]
  // (strides 0 for broadcast dims); null = none.
  const float* bias = nullptr;
  int64_t bias_stride_b = 0, bias_stride_h = 0, bias_stride_q = 0;
  int batch = 0, heads = 0, lq = 0, lk = 0, d = 0, dv = 0;
  float scale = 1.0f;
  // Query i may attend to keys 0 .. lk - lq + i (aligned to the end of the keys).
  bool causal = false;
};

// True when `p` takes the tensor-core path.
bool attention_uses_tensor_cores(const AttentionParams& p);

cudaError_t attention_f32(const AttentionParams& p, cudaStream_t stream);

}  // namespace foley::kernels
