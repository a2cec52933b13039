#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// y[rows, n] = x[rows, k] · w[n, k]^T (+ bias[n]) — a linear layer with
// PyTorch's weight layout — through a oneDNN matmul primitive, primitives
// cached by shape. `weight_in` is the caller's weight tensor (maybe f16: the
// cache key), `weight` its dense f32 [n, k] values. On the text encoders'
// small-row shapes the primitive reading the weights where they are measured
// 1.05–1.8x faster than dnnl_sgemm, which packs the weight matrix on every
// call (docs/runtime.md). From kPackedLinearMinRows rows (the UNet's and the
// VAE's layers, run every step) it reads a copy made once — [k, n] row-major,
// its rows padded to an odd number of cache lines — cached while the weight
// lives (onednn_weights.h). Below it, a copy would cost memory (GPT-2's and
// T5's weights are 2.7 GB) for calls made once per cue. All pointers dense
// row-major; rows, n, k > 0.
inline constexpr int64_t kPackedLinearMinRows = 128;
// Packed layouts kept per weight tensor (the layout may follow the row count).
inline constexpr size_t kMaxLinearWeightLayouts = 2;
void linear_onednn(int64_t rows, const float* x, const Tensor& weight_in, const Tensor& weight, const float* bias,
                   float* y);

// Packed weight copies currently cached (tests observe reuse with it), and
// dropping them all (tests).
int64_t linear_cached_weights();
void clear_linear_cache();

}  // namespace foley::tensor::cpu
