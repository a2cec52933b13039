// Scaled dot-product attention and softmax on the CPU. Attention works on
// blocks of queries so the score matrix stays small (long VAE sequences), one
// (batch, head, block) at a time: scores by GEMM, bias/causal mask, softmax,
// then a second GEMM with v.
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/ops.h"

namespace foley::tensor {
namespace {

// Scores per block at most this many floats (16 MB).
constexpr int64_t kScoreBudget = 4 << 20;

// In-place softmax of one row; returns nothing, handles -inf entries.
inline void softmax_row(float* row, int64_t n) {
  float max_value = -std::numeric_limits<float>::infinity();
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
  if (w != last) return softmax(x_in.transpose(w, last), -1).transpose(w, last);
  Tensor out = cpu::as_f32(x_in).clone();
  const int64_t n = out.size(-1);
  const int64_t rows = n == 0 ? 0 : out.numel() / n;
  float* p = out.data<float>();
  cpu::parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) softmax_row(p + r * n, n);
  });
  return out;
}

Tensor attention(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, const AttentionOptions& options) {
  const char* op = "attention";
  const Tensor& bias_in = options.bias;
  cpu::require_cpu(op, {&q_in, &k_in, &v_in, &bias_in});
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
  if (options.causal && lk < lq) cpu::fail(op, "causal attention needs at least as many keys as queries");
  // Bias strides (0 where broadcast).
  int64_t bs[4] = {0, 0, 0, 0};
  if (bias_in.defined()) {
    cpu::require_float(op, "bias", bias_in);
    const int64_t full[4] = {b, h, lq, lk};
    if (bias_in.dim() != 4) cpu::fail(op, "bias must be 4-D [B|1, H|1, Lq|1, Lk], got " + bias_in.to_string());
    int64_t stride = 1;
    for (int i = 3; i >= 0; --i) {
      const int64_t s = bias_in.size(i);
      if (s != full[i] && !(s == 1 && i < 3))
        cpu::fail(op, "bias " + bias_in.to_string() + " does not broadcast to [" + std::to_string(b) + ", " +
                          std::to_string(h) + ", " + std::to_string(lq) + ", " + std::to_string(lk) + "]");
      bs[i] = s == 1 ? 0 : stride;
      stride *= s;
    }
  }
  const Tensor q = cpu::as_f32(q_in), k = cpu::as_f32(k_in), v = cpu::as_f32(v_in), bias = cpu::as_f32(bias_in);
  const float scale = static_cast<float>(std::isnan(options.scale) ? 1.0 / std::sqrt(static_cast<double>(d))
                                                                   : options.scale);
  Tensor out = Tensor::empty({b, h, lq, dv});
  if (out.numel() == 0) return out;
  const float* pq = q.data<float>();
  const float* pk = k.data<float>();
  const float* pv = v.data<float>();
  const float* pbias = bias.defined() ? bias.data<float>() : nullptr;
  float* po = out.data<float>();
  const int64_t block = std::clamp<int64_t>(kScoreBudget / std::max<int64_t>(1, lk), 1, lq);
  const int64_t blocks_per_head = (lq + block - 1) / block;
  const int64_t tasks = b * h * blocks_per_head;

  auto run_block = [&](int64_t task, float* scores) {
    const int64_t bh = task / blocks_per_head, q0 = (task % blocks_per_head) * block;
    const int64_t bi = bh / h, hi = bh % h;
    const int64_t rows = std::min(block, lq - q0);
    const float* qb = pq + (bh * lq + q0) * d;
    const float* kb = pk + bh * lk * d;
    const float* vb = pv + bh * lk * dv;
    cpu::sgemm(false, true, rows, lk, d, scale, qb, d, kb, d, 0.0f, scores, lk);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores + r * lk;
      const int64_t qi = q0 + r;
      if (pbias) {
        const float* brow = pbias + bi * bs[0] + hi * bs[1] + qi * bs[2];
        for (int64_t j = 0; j < lk; ++j) row[j] += brow[j];
      }
      if (options.causal)
        for (int64_t j = lk - lq + qi + 1; j < lk; ++j) row[j] = -std::numeric_limits<float>::infinity();
      softmax_row(row, lk);
    }
    cpu::sgemm(false, false, rows, dv, lk, 1.0f, scores, lk, vb, dv, 0.0f, po + (bh * lq + q0) * dv, dv);
  };

  // Many small heads: one task per thread with single-threaded GEMMs (oneDNN
  // runs serially inside a parallel region). Few big ones: let the GEMM thread.
  const bool across_tasks = tasks >= num_threads() && cpu::gemm_backend() == cpu::GemmBackend::kOneDnn;
  if (across_tasks) {
    // At least ~64 K multiply-adds per thread: a KV-cached GPT-2 step (one
    // query, 12 heads of 64) is cheaper than waking a second thread.
    const int64_t work_per_task = std::max<int64_t>(1, block * lk * (d + dv));
    cpu::parallel_for(tasks, std::max<int64_t>(1, (int64_t{1} << 16) / work_per_task), [&](int64_t begin, int64_t end) {
      std::vector<float> scores(static_cast<size_t>(block * lk));
      for (int64_t t = begin; t < end; ++t) run_block(t, scores.data());
    });
  } else {
    std::vector<float> scores(static_cast<size_t>(block * lk));
    for (int64_t t = 0; t < tasks; ++t) run_block(t, scores.data());
  }
  return out;
}

}  // namespace foley::tensor
