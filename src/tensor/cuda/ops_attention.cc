// Attention and softmax on CUDA (see ops.h and kernels/attention.h).
#include <algorithm>
#include <cmath>

#include "kernels/attention.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

// Throws unless q, k, v and the bias fit the contract of tensor/ops.h's attention.
void check_attention(const char* op, const Tensor& q_in, const Tensor& k_in, const Tensor& v_in,
                     const AttentionOptions& o) {
  detail::require_cuda(op, {&q_in, &k_in, &v_in, &o.bias});
  if (q_in.dim() != 4 || k_in.dim() != 4 || v_in.dim() != 4)
    fail(op, "expected 4-D q, k, v, got " + q_in.to_string() + ", " + k_in.to_string() + ", " + v_in.to_string());
  const int64_t b = q_in.size(0), h = q_in.size(1), lq = q_in.size(2), d = q_in.size(3);
  const int64_t lk = k_in.size(2);
  if (k_in.size(0) != b || k_in.size(1) != h || k_in.size(3) != d || v_in.size(0) != b || v_in.size(1) != h ||
      v_in.size(2) != lk)
    fail(op, "q " + q_in.to_string() + ", k " + k_in.to_string() + " and v " + v_in.to_string() + " do not match");
  if (o.causal && lk < lq) fail(op, "causal attention needs at least as many keys as queries");
  if (b * h > 65535 || lq > INT32_MAX || lk > INT32_MAX) fail(op, "shape too large for the CUDA kernel");
  const Tensor& bi = o.bias;
  if (bi.defined() && (bi.dim() != 4 || (bi.size(0) != 1 && bi.size(0) != b) || (bi.size(1) != 1 && bi.size(1) != h) ||
                       (bi.size(2) != 1 && bi.size(2) != lq) || bi.size(3) != lk))
    fail(op, "bias " + bi.to_string() + " does not broadcast to [" + std::to_string(b) + ", " + std::to_string(h) +
                 ", " + std::to_string(lq) + ", " + std::to_string(lk) + "]");
}

Tensor attention_impl(const char* op, const Tensor& q_in, const Tensor& k_in, const Tensor& v_in,
                      const AttentionOptions& o) {
  check_attention(op, q_in, k_in, v_in, o);
  const Device device = q_in.device();
  const int64_t b = q_in.size(0), h = q_in.size(1), lq = q_in.size(2), d = q_in.size(3);
  const int64_t lk = k_in.size(2), dv = v_in.size(3);
  kernels::AttentionParams p;
  Tensor bias;
  if (o.bias.defined()) {
    const Tensor& bi = o.bias;
    bias = detail::f32(bi);
    p.bias = f32_ptr(bias);
    p.bias_stride_q = bi.size(2) == 1 ? 0 : lk;
    p.bias_stride_h = bi.size(1) == 1 ? 0 : bi.size(2) * lk;
    p.bias_stride_b = bi.size(0) == 1 ? 0 : bi.size(1) * bi.size(2) * lk;
  }
  const Tensor q = detail::f32(q_in), k = detail::f32(k_in), v = detail::f32(v_in);
  Tensor out = empty({b, h, lq, dv}, DType::kF32, device);
  p.q = f32_ptr(q);
  p.k = f32_ptr(k);
  p.v = f32_ptr(v);
  p.o = f32_mut(out);
  p.batch = static_cast<int>(b);
  p.heads = static_cast<int>(h);
  p.lq = static_cast<int>(lq);
  p.lk = static_cast<int>(lk);
  p.d = static_cast<int>(d);
  p.dv = static_cast<int>(dv);
  p.scale = std::isnan(o.scale) ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)))
                                : static_cast<float>(o.scale);
  p.causal = o.causal;
  detail::launch(kernels::attention_f32(p, current_stream()), op);
  return out;
}

// The widest head the fused kernels are fast for; wider ones (the VAE mid-block's single 512-wide head) go to
// attention_gemm.
constexpr int64_t kFusedMaxHeadDim = 96;
// Bound on one block of attention scores in attention_gemm.
constexpr int64_t kMaxScoreBytes = int64_t(256) << 20;

// Scores and output as cuBLASLt GEMMs on bf16 operands with an f32 softmax between them, a block of queries at a
// time so that the scores stay within kMaxScoreBytes.
Tensor attention_gemm(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o) {
  const int64_t b = q.size(0), h = q.size(1), lq = q.size(2), lk = k.size(2);
  const double scale = std::isnan(o.scale) ? 1.0 / std::sqrt(static_cast<double>(q.size(3))) : o.scale;
  const int64_t block = std::clamp<int64_t>(kMaxScoreBytes / 4 / std::max<int64_t>(1, b * h * lk), 1, lq);
  std::vector<Tensor> parts;
  for (int64_t q0 = 0; q0 < lq; q0 += block) {
    const int64_t rows = std::min(block, lq - q0);
    Tensor s = cuda::scale(cuda::matmul(q.narrow(2, q0, rows), k, true), scale);  // [b, h, rows, lk]
    if (o.bias.defined()) s = cuda::add(s, o.bias.size(2) == 1 ? o.bias : o.bias.narrow(2, q0, rows));
    parts.push_back(cuda::matmul(cuda::softmax(s, -1), v));  // [b, h, rows, dv]
  }
  return parts.size() == 1 ? parts.front() : cuda::cat(parts, 2);
}

}  // namespace

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) {
  if (!options.causal && q.dim() == 4 && v.dim() == 4 &&
      (q.size(3) > kFusedMaxHeadDim || v.size(3) > kFusedMaxHeadDim)) {
    check_attention("attention", q, k, v, options);
    return attention_gemm(q, k, v, options);
  }
  return attention_impl("attention", q, k, v, options);
}

Tensor attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads,
                       const AttentionOptions& options) {
  const char* op = "attention_heads";
  detail::require_cuda(op, {&q, &k, &v, &options.bias});
  if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || heads < 1 || q.size(2) % heads != 0 ||
      k.size(2) % heads != 0 || v.size(2) % heads != 0)
    fail(op, "expected [B, L, H*D] q, k, v with " + std::to_string(heads) + " heads, got " + q.to_string() + ", " +
                 k.to_string() + ", " + v.to_string());
  auto split = [heads](const Tensor& t) {
    return t.reshape({t.size(0), t.size(1), heads, t.size(2) / heads}).permute({0, 2, 1, 3});
  };
  const Tensor o = cuda::attention(split(q), split(k), split(v), options);  // [B, H, Lq, Dv]
  return o.permute({0, 2, 1, 3}).reshape({q.size(0), q.size(1), heads * o.size(3)});
}

Tensor softmax(const Tensor& x_in, int64_t dim) {
  const char* op = "softmax";
  const Device device = detail::require_cuda(op, {&x_in});
  if (x_in.dim() < 1) fail(op, "needs at least one dim");
  const int64_t d = x_in.wrap_dim(dim);
  Tensor x = detail::f32(x_in);
  // Move `dim` last, run row softmax, move it back.
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (i != d) perm.push_back(i);
  perm.push_back(d);
  const bool last = d == x.dim() - 1;
  const Tensor rows = last ? x : permute(x, perm);
  const int64_t cols = x.size(d);
  Tensor y = empty(rows.shape(), DType::kF32, device);
  detail::launch(kernels::softmax_rows_f32(f32_ptr(rows), f32_mut(y), cols == 0 ? 0 : rows.numel() / cols, cols,
                                           current_stream()),
                 op);
  if (last) return y;
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  return permute(y, inverse);
}

}  // namespace foley::tensor::cuda
