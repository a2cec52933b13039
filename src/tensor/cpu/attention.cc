// Scaled dot-product attention and softmax on the CPU: an online-softmax
// (flash-style) kernel. Each task is one (batch, head, block of queries); keys
// are visited in blocks, and per query row a running maximum m and sum l let
// every block's exponentials be computed once, with the output so far rescaled
// by exp(m_old - m_new) when the maximum grows. Two inner kernels:
// - small heads (D, Dv <= kSmallHeadDim = 4, e.g. the tiny test models' UNet):
//   K and V are transposed per task so the scores of 16 keys
//   are the 16 lanes of one vector, then exp and P·V stay in registers;
//   a GEMM library call per tiny dot product would cost more than the math.
//   Rows run in one pass against an upper bound of their scores instead of a
//   running maximum (exact two-pass fallback when the bound is loose);
// - real heads: scores and P·V by single-threaded GEMM calls on blocks sized
//   for the L2 cache, softmax in between with a vectorised exp.
// The vector kernels (attention_simd.h, AVX-512 or AVX2 by cpu::cpu_isa())
// are chosen at run time (the build targets baseline x86-64); the scalar
// path runs the second kernel with libm exp.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/attention_problem.h"
#include "tensor/cpu/common.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

using cpu::kSmallHeadDim;
using Layout = cpu::AttentionLayout;
using Problem = cpu::AttentionProblem;
constexpr float kNegInf = cpu::kAttentionNegInf;
// Queries per task of the small-head kernel: each task transposes its head's keys and values, so as many as
// keep every thread busy with 4 tasks or more, between these (AVX2, Zen 3: the tiny UNet's self-attention
// [2, 1024, 16], 8 heads, 2.89 ms with 128 a task, 2.66 ms with 1024).
constexpr int64_t kSmallQueryBlockMin = 128;
constexpr int64_t kSmallQueryBlockMax = 1024;
// Queries per task of the GEMM kernel.
constexpr int64_t kGemmQueryBlock = 256;
// Scores of one GEMM-kernel task at most this many floats (1 MiB): fewer
// queries per task when a block has more keys. Larger tasks pack K and V for
// fewer GEMM calls: the UNet's 1024-token self-attention ran 8 % (AVX2) and
// 18 % (AVX-512) faster with 256 queries than with 64 (run_attention.sh).
constexpr int64_t kGemmScoresFloats = int64_t{1} << 18;
// Keys per online-softmax block. The GEMM kernel takes up to kGemmWholeKeys
// keys in one block (no rescaling at all: every UNet attention).
constexpr int64_t kKeyBlock = 512;
constexpr int64_t kGemmWholeKeys = 1024;

// ---- scalar ---------------------------------------------------------------------

// One online-softmax step over a row of n scores s (the first `valid` are
// real keys, the rest masked): adds the bias row, replaces s by
// exp(s - m_new), updates the running max m and sum l, and returns the factor
// the row's output so far must be multiplied by.
float softmax_block_scalar(float* s, int64_t n, int64_t valid, const float* bias, float& m, float& l) {
  valid = std::clamp<int64_t>(valid, 0, n);
  float block_max = kNegInf;
  for (int64_t j = 0; j < valid; ++j) {
    if (bias) s[j] += bias[j];
    block_max = std::max(block_max, s[j]);
  }
  const float m_new = std::max(m, block_max);
  const float corr = m == m_new ? 1.0f : (m == kNegInf ? 0.0f : std::exp(m - m_new));
  // While every key so far is -inf, s - m_new would be -inf - -inf = NaN: those keys weigh exp(-inf) = 0, and a
  // later block with a finite key starts the row (corr = 0 there).
  const float shift = m_new == kNegInf ? 0.0f : m_new;
  float sum = 0;
  for (int64_t j = 0; j < valid; ++j) sum += (s[j] = std::exp(s[j] - shift));
  for (int64_t j = valid; j < n; ++j) s[j] = 0.0f;
  l = l * corr + sum;
  m = m_new;
  return corr;
}

// ---- GEMM kernel ------------------------------------------------------------------

// Queries [q0, q1) of head bh by blocked GEMMs. scores: query block rows of
// padded_row_stride(key block) floats (gemm.h: 1024 keys a row would put the
// rows 4 KiB apart); m, l: kGemmQueryBlock floats each.
// simd: the vector softmax step, or null for the scalar one.
void gemm_heads(const Problem& P, int64_t bh, int64_t q0, int64_t q1, int64_t key_block, float* scores, float* m,
                float* l, const cpu::SimdKernels* simd) {
  const int64_t rows = q1 - q0, d = P.d, dv = P.dv;
  const int64_t q_row = P.lq_.row, k_row = P.lk_.row, v_row = P.lv_.row, o_row = P.lo_.row;
  const float* qb = P.q + P.base(P.lq_, bh) + q0 * q_row;
  const float* kb = P.k + P.base(P.lk_, bh);
  const float* vb = P.v + P.base(P.lv_, bh);
  float* ob = P.out + P.base(P.lo_, bh) + q0 * o_row;
  std::fill(m, m + rows, kNegInf);
  std::fill(l, l + rows, 0.0f);
  const int64_t kend = P.key_end(q1 - 1);  // the last row sees the most keys
  for (int64_t k0 = 0; k0 < kend; k0 += key_block) {
    const int64_t n = std::min(key_block, kend - k0);
    const int64_t ld = cpu::padded_row_stride(n);
    cpu::sgemm(false, true, rows, n, d, P.scale, qb, q_row, kb + k0 * k_row, k_row, 0.0f, scores, ld);
    for (int64_t r = 0; r < rows; ++r) {
      const float* brow = P.bias_row(bh, q0 + r);
      float* s = scores + r * ld;
      const int64_t valid = P.key_end(q0 + r) - k0;
      const float corr = simd ? simd->softmax_block(s, n, valid, brow ? brow + k0 : nullptr, m[r], l[r])
                              : softmax_block_scalar(s, n, valid, brow ? brow + k0 : nullptr, m[r], l[r]);
      if (k0 > 0 && corr != 1.0f)
        for (int64_t c = 0; c < dv; ++c) ob[r * o_row + c] *= corr;
    }
    cpu::sgemm(false, false, rows, dv, n, 1.0f, scores, ld, vb + k0 * v_row, v_row, k0 == 0 ? 0.0f : 1.0f, ob, o_row);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = 1.0f / l[r];
    for (int64_t c = 0; c < dv; ++c) ob[r * o_row + c] *= inv;
  }
}

// In-place softmax of one row; handles -inf entries.
inline void softmax_row(float* row, int64_t n) {
  float max_value = kNegInf;
  for (int64_t i = 0; i < n; ++i) max_value = std::max(max_value, row[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(row[i] - max_value);
    row[i] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) row[i] *= inv;
}

}  // namespace

Tensor softmax(const Tensor& x_in, int64_t dim) {
  cpu::require_cpu("softmax", {&x_in});
  cpu::require_float("softmax", "input", x_in);
  const int64_t last = x_in.dim() - 1;
  const int64_t w = x_in.wrap_dim(dim);
  if (w != last) return cpu::softmax(x_in.transpose(w, last), -1).transpose(w, last);
  Tensor out = cpu::as_f32(x_in).clone();
  const int64_t n = out.size(-1);
  const int64_t rows = n == 0 ? 0 : out.numel() / n;
  float* p = out.data<float>();
  cpu::parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) softmax_row(p + r * n, n);
  });
  return out;
}

namespace {

// Bias strides {b, h, q} (0 where broadcast) after checking that `bias`
// broadcasts to [B, H, Lq, Lk]; zeros when undefined.
std::array<int64_t, 3> bias_strides(const char* op, const Tensor& bias, int64_t b, int64_t h, int64_t lq, int64_t lk) {
  int64_t bs[4] = {0, 0, 0, 0};
  if (bias.defined()) {
    cpu::require_float(op, "bias", bias);
    const int64_t full[4] = {b, h, lq, lk};
    if (bias.dim() != 4) cpu::fail(op, "bias must be 4-D [B|1, H|1, Lq|1, Lk], got " + bias.to_string());
    int64_t stride = 1;
    for (int i = 3; i >= 0; --i) {
      const int64_t s = bias.size(i);
      if (s != full[i] && !(s == 1 && i < 3))
        cpu::fail(op, "bias " + bias.to_string() + " does not broadcast to [" + std::to_string(b) + ", " +
                          std::to_string(h) + ", " + std::to_string(lq) + ", " + std::to_string(lk) + "]");
      bs[i] = s == 1 ? 0 : stride;
      stride *= s;
    }
  }
  return {bs[0], bs[1], bs[2]};
}

// Fills P's scalars and pointers (layouts are the caller's) and runs it over
// `b` batches into `out` (already shaped).
void run_attention(Problem& P, int64_t b, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
                   const std::array<int64_t, 3>& bs, const AttentionOptions& options, Tensor& out) {
  if (out.numel() == 0) return;
  if (P.lk == 0) {  // nothing to attend to: zeros, as an empty weighted sum
    std::fill(out.data<float>(), out.data<float>() + out.numel(), 0.0f);
    return;
  }
  const int64_t h = P.h, lq = P.lq, lk = P.lk, d = P.d, dv = P.dv;
  P.scale = static_cast<float>(std::isnan(options.scale) ? 1.0 / std::sqrt(static_cast<double>(d)) : options.scale);
  P.causal = options.causal;
  P.q = q.data<float>();
  P.k = k.data<float>();
  P.v = v.data<float>();
  P.bias = bias.defined() ? bias.data<float>() : nullptr;
  P.bias_stride_b = bs[0];
  P.bias_stride_h = bs[1];
  P.bias_stride_q = bs[2];
  P.out = out.data<float>();

  const cpu::SimdKernels* simd = cpu::simd_kernels();
  const bool small = simd && d >= 1 && d <= kSmallHeadDim && dv <= kSmallHeadDim;
  const int64_t key_block = small ? cpu::kSmallHeadKeyBlock : (lk <= kGemmWholeKeys ? lk : kKeyBlock);
  const int64_t small_block = std::clamp<int64_t>(b * h * lq / (4 * int64_t{num_threads()}), kSmallQueryBlockMin,
                                                  kSmallQueryBlockMax);
  const int64_t query_block =
      std::min(lq, small ? small_block
                         : std::clamp<int64_t>(kGemmScoresFloats / std::max<int64_t>(1, key_block), 16,
                                               kGemmQueryBlock));
  const int64_t blocks_per_head = (lq + query_block - 1) / query_block;
  const int64_t tasks = b * h * blocks_per_head;
  const int64_t ld = (lk + 15) / 16 * 16;
  const cpu::SimdKernels::SmallHeads small_kernel = small ? simd->small_heads(d, dv) : nullptr;

  const int64_t scores_ld = cpu::padded_row_stride(key_block);
  auto run_range = [&](int64_t begin, int64_t end) {
    float* scratch = cpu::thread_scratch(
        cpu::Scratch::kAttention, sizeof(float) * static_cast<size_t>(small ? (d + dv) * ld + cpu::kSmallHeadKeyBlock
                                                                              : query_block * (scores_ld + 2)));
    for (int64_t t = begin; t < end; ++t) {
      const int64_t bh = t / blocks_per_head, q0 = (t % blocks_per_head) * query_block;
      const int64_t q1 = std::min(lq, q0 + query_block);
      if (small) {
        small_kernel(P, bh, q0, q1, scratch, scratch + d * ld, scratch + (d + dv) * ld);
      } else {
        float* scores = scratch;
        float* m = scores + query_block * scores_ld;
        gemm_heads(P, bh, q0, q1, key_block, scores, m, m + query_block, simd);
      }
    }
  };
  // Tasks run in parallel with single-threaded GEMMs (oneDNN runs serially
  // inside a parallel region). OpenBLAS keeps its own pool: with it the GEMM
  // kernel runs tasks in order and lets the library thread.
  if (!small && cpu::gemm_backend() != cpu::GemmBackend::kOneDnn) {
    run_range(0, tasks);
    return;
  }
  // At least ~64 K multiply-adds per thread: a KV-cached GPT-2 step (one
  // query, 12 heads of 64) is cheaper than waking a second thread.
  const int64_t work_per_task = std::max<int64_t>(1, query_block * lk * (d + dv));
  cpu::parallel_for(tasks, std::max<int64_t>(1, (int64_t{1} << 16) / work_per_task), run_range);
}

struct Dims {
  int64_t h, lq, lk, d, dv;
};

// The part attention and attention_heads share once their shapes are
// checked: causal and bias checks, f32 inputs, the Problem in `layout`, the run.
Tensor checked_attention(const char* op, const Tensor& q_in, const Tensor& k_in, const Tensor& v_in,
                         const AttentionOptions& options, int64_t b, Dims n, Layout (*layout)(int64_t, int64_t, int64_t),
                         const Shape& out_shape) {
  if (options.causal && n.lk < n.lq) cpu::fail(op, "causal attention needs at least as many keys as queries");
  const auto bs = bias_strides(op, options.bias, b, n.h, n.lq, n.lk);
  const Tensor q = cpu::as_f32(q_in), k = cpu::as_f32(k_in), v = cpu::as_f32(v_in), bias = cpu::as_f32(options.bias);
  Tensor out = Tensor::empty(out_shape);
  Problem P{};
  P.h = n.h;
  P.lq = n.lq;
  P.lk = n.lk;
  P.d = n.d;
  P.dv = n.dv;
  P.lq_ = layout(n.h, n.lq, n.d);
  P.lk_ = layout(n.h, n.lk, n.d);
  P.lv_ = layout(n.h, n.lk, n.dv);
  P.lo_ = layout(n.h, n.lq, n.dv);
  run_attention(P, b, q, k, v, bias, bs, options, out);
  return out;
}

}  // namespace

Tensor attention(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, const AttentionOptions& options) {
  const char* op = "attention";
  cpu::require_cpu(op, {&q_in, &k_in, &v_in, &options.bias});
  cpu::require_float(op, "q", q_in);
  cpu::require_float(op, "k", k_in);
  cpu::require_float(op, "v", v_in);
  if (q_in.dim() != 4 || k_in.dim() != 4 || v_in.dim() != 4)
    cpu::fail(op, "expected 4-D [B, H, L, D] q, k, v, got " + q_in.to_string() + ", " + k_in.to_string() + ", " +
                      v_in.to_string());
  const int64_t b = q_in.size(0), h = q_in.size(1), lq = q_in.size(2), d = q_in.size(3);
  const int64_t lk = k_in.size(2), dv = v_in.size(3);
  if (k_in.size(0) != b || k_in.size(1) != h || k_in.size(3) != d || v_in.size(0) != b || v_in.size(1) != h ||
      v_in.size(2) != lk)
    cpu::fail(op, "q " + q_in.to_string() + ", k " + k_in.to_string() + ", v " + v_in.to_string() + " do not match");
  return checked_attention(op, q_in, k_in, v_in, options, b, {h, lq, lk, d, dv}, Layout::heads_major,
                           {b, h, lq, dv});
}

Tensor attention_heads(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, int64_t heads,
                       const AttentionOptions& options) {
  const char* op = "attention_heads";
  cpu::require_cpu(op, {&q_in, &k_in, &v_in, &options.bias});
  cpu::require_float(op, "q", q_in);
  cpu::require_float(op, "k", k_in);
  cpu::require_float(op, "v", v_in);
  if (q_in.dim() != 3 || k_in.dim() != 3 || v_in.dim() != 3)
    cpu::fail(op, "expected 3-D [B, L, H*D] q, k, v, got " + q_in.to_string() + ", " + k_in.to_string() + ", " +
                      v_in.to_string());
  if (heads < 1 || q_in.size(2) % heads != 0 || v_in.size(2) % heads != 0)
    cpu::fail(op, "q " + q_in.to_string() + " and v " + v_in.to_string() + " do not split into " +
                      std::to_string(heads) + " heads");
  const int64_t b = q_in.size(0), lq = q_in.size(1), d = q_in.size(2) / heads;
  const int64_t lk = k_in.size(1), dv = v_in.size(2) / heads;
  if (k_in.size(0) != b || k_in.size(2) != q_in.size(2) || v_in.size(0) != b || v_in.size(1) != lk)
    cpu::fail(op, "q " + q_in.to_string() + ", k " + k_in.to_string() + ", v " + v_in.to_string() + " do not match");
  return checked_attention(op, q_in, k_in, v_in, options, b, {heads, lq, lk, d, dv}, Layout::tokens_major,
                           {b, lq, heads * dv});
}

}  // namespace foley::tensor::cpu
