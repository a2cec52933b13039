#pragma once

// Tensor operations: free functions that dispatch on the inputs' device (the
// CPU implementations live in tensor/cpu/). Every op:
// - requires all tensor arguments on one device (throws foley::Error otherwise);
// - never writes to its inputs and returns a fresh tensor;
// - for floating-point math accepts f32, f16 or bf16 inputs (f16/bf16 are
//   converted to f32 first) and returns f32 on the CPU;
// - throws foley::Error (input kind) naming the op and the offending shapes on
//   any shape/dtype mismatch.
// Shapes follow PyTorch conventions so model code reads like the reference.

#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/tensor.h"

namespace foley::tensor {

// --- threading ----------------------------------------------------------------

// Threads used by the GEMM library and by our own parallel loops; 0 = all
// cores (the default). Call from the main thread, not while ops are running.
void set_num_threads(int n);
// The thread count now in effect (>= 1).
int num_threads();

// --- GEMM-based ------------------------------------------------------------------

// y = x @ weight^T + bias. x [..., in], weight [out, in] (PyTorch nn.Linear
// layout), bias [out] or undefined. Result [..., out].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

// Batched matrix product. a [..., M, K], b [..., K, N] (or [..., N, K] when
// transpose_b). Batch dims broadcast numpy-style (b may also be plain 2-D).
// Result [batch..., M, N].
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_b = false);

struct Conv1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;  // zeros, both sides
  int64_t dilation = 1;
  int64_t groups = 1;
};
// x [N, C_in, L], weight [C_out, C_in/groups, K], bias [C_out] or undefined.
// Result [N, C_out, (L + 2p - d(K-1) - 1)/s + 1].
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv1dOptions& options = {});

// What conv1d_fused folds into one convolution (HiFi-GAN's resblock):
//   out = act_out((((conv1d(act_in(x)) + bias) + residual) + residual2) * output_scale)
// act_in / act_out are leaky_relu with input_slope / output_slope; NaN (the
// default) means none. Residuals are [N, C_out, L_out] or undefined; a scale of
// 1 is skipped.
struct Conv1dFusion {
  double input_slope = std::numeric_limits<double>::quiet_NaN();
  Tensor residual;
  Tensor residual2;
  double output_scale = 1.0;
  double output_slope = std::numeric_limits<double>::quiet_NaN();
};
// conv1d with the elementwise work around it fused (no intermediate tensors
// where the CPU's 1-D Winograd path runs; elsewhere the same as composing
// leaky_relu, conv1d, add, scale and leaky_relu).
Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                    const Conv1dFusion& fusion);

struct ConvTranspose1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t output_padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
};
// x [N, C_in, L], weight [C_in, C_out/groups, K] (PyTorch ConvTranspose1d
// layout), bias [C_out] or undefined.
// Result [N, C_out, (L-1)s - 2p + d(K-1) + output_padding + 1].
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                        const ConvTranspose1dOptions& options = {});

struct Conv2dOptions {
  int64_t stride_h = 1, stride_w = 1;
  int64_t padding_h = 0, padding_w = 0;  // zeros, both sides
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  // Convenience: same stride/padding on both axes.
  static Conv2dOptions make(int64_t stride, int64_t padding) {
    Conv2dOptions o;
    o.stride_h = o.stride_w = stride;
    o.padding_h = o.padding_w = padding;
    return o;
  }
};
// x [N, C_in, H, W], weight [C_out, C_in/groups, KH, KW], bias [C_out] or undefined.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dOptions& options = {});

// --- normalisation ------------------------------------------------------------

// GroupNorm over x [N, C, *]: C split into num_groups groups; mean/variance
// (biased) over each group's channels and all spatial elements; then the
// per-channel affine weight [C]/bias [C] (either may be undefined = 1 / 0).
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
// silu(group_norm(...)) in one pass over the output, equal to the composition
// (ResNet blocks and the decoders' output norms).
Tensor group_norm_silu(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);

// LayerNorm over the last dim D of x [..., D]; weight/bias [D] or undefined.
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);

// T5-style RMSNorm over the last dim: x * rsqrt(mean(x^2) + eps) * weight.
// No mean subtraction, no bias; weight [D] or undefined.
Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps);

// x / max(||x||_2, eps) along `dim` (F.normalize).
Tensor l2_normalize(const Tensor& x, int64_t dim = -1, double eps = 1e-12);

// --- attention ------------------------------------------------------------------

struct AttentionOptions {
  // Multiplies q k^T. NaN (the default) means 1/sqrt(D). T5 uses 1.0.
  double scale = std::numeric_limits<double>::quiet_NaN();
  // Additive bias, 4-D [B or 1, H or 1, Lq or 1, Lk], broadcast over the size-1
  // dims: relative-position bias, padding masks (finfo.min or -10000 where
  // masked). Undefined = none. Combine several with add() first.
  Tensor bias;
  // Causal masking aligned to the END of the keys: query i (of Lq) may attend to
  // keys 0 .. Lk-Lq+i. With Lq == Lk this is the usual lower triangle; with a
  // KV cache (Lq new queries after Lk-Lq cached keys) it is what GPT-2 needs.
  bool causal = false;
};
// softmax(q k^T * scale + bias [+ causal mask]) v, softmax in f32.
// q [B, H, Lq, D], k [B, H, Lk, D], v [B, H, Lk, Dv] -> [B, H, Lq, Dv].
// A row whose every key is masked by `causal` cannot occur (Lk >= Lq required);
// a row whose every key has a -inf bias is NaN on every backend (0/0, as
// torch.softmax): masks meant to be safe use a large finite negative.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options = {});

// The same attention on token-major tensors, without splitting heads into
// their own tensors: q [B, Lq, H*D], k [B, Lk, H*D], v [B, Lk, H*Dv] with heads
// side by side in each row (what the q/k/v projections produce) ->
// [B, Lq, H*Dv] (what the output projection takes). Equal to
// merge_heads(attention(split_heads(q), split_heads(k), split_heads(v))).
Tensor attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads,
                       const AttentionOptions& options = {});

// Softmax along `dim` (numerically stable: max subtracted). An all -inf line gives NaN.
Tensor softmax(const Tensor& x, int64_t dim = -1);

// --- activations (elementwise) ------------------------------------------------------

enum class GeluApproximation { kNone, kTanh };
// kNone: exact x/2 (1 + erf(x/sqrt2)) (RoBERTa, GEGLU). kTanh: "gelu_new",
// x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) (GPT-2, T5).
Tensor gelu(const Tensor& x, GeluApproximation approximation = GeluApproximation::kNone);
Tensor silu(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor sqrt(const Tensor& x);
// GEGLU as diffusers' FeedForward: split x [..., 2F] into (a, g) halves of the
// last dim, return a * gelu_exact(g) [..., F].
Tensor geglu(const Tensor& x);

// --- arithmetic with numpy broadcasting -------------------------------------------

// a (op) b with numpy/torch broadcasting (shapes aligned at the end; each dim
// equal or 1). Floating inputs compute in f32; two integer inputs of the same
// dtype stay in that dtype (div rounds toward zero).
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// x * s + 0 and x + s for a scalar s (f32 result for floating x).
Tensor scale(const Tensor& x, double s);
Tensor add_scalar(const Tensor& x, double s);

// --- reductions ------------------------------------------------------------------

// Sum / mean along `dim` (negative allowed); keepdim keeps it as size 1.
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
// Inclusive prefix sum along `dim`; integer inputs stay integer (i64 result
// for i32/i64 like torch), floating compute in f32.
Tensor cumsum(const Tensor& x, int64_t dim);

// --- shape and indexing ----------------------------------------------------------

// Concatenates along `dim`; every other dim must match, dtypes must match.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
// Stacks equal-shape tensors along a new dim `dim`.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Rows of x along `dim` picked by a 1-D i32/i64 `index`; out-of-range indices
// throw foley::Error naming the index.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// Embedding lookup: weight [V, D], ids (i32/i64, any shape) -> [ids..., D].
// Throws foley::Error naming the id when one is outside [0, V).
Tensor embedding(const Tensor& weight, const Tensor& ids);
// Splits dim `dim` into `chunks` equal parts (its size must be divisible).
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim);

// Constant padding like torch.nn.functional.pad: `pads` lists (before, after)
// pairs starting from the LAST dim: {left, right} pads dim -1, {l, r, t, b}
// pads dims -1 and -2. Negative pads crop.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value = 0.0);

// Nearest-neighbour resize of x [N, C, H, W] to [N, C, out_h, out_w] with
// torch's rule src = floor(dst * in / out) (mode="nearest"); 2x is the UNet/VAE
// upsampler, other sizes serve the UNet's resize-to-skip rule.
Tensor upsample_nearest2d(const Tensor& x, int64_t out_h, int64_t out_w);

}  // namespace foley::tensor
