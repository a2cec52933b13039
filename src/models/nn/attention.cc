#include "models/nn/attention.h"

namespace foley::models {

using tensor::Tensor;

Attention Attention::load(const tensor::WeightMap& w, const std::string& prefix, int64_t query_dim,
                          int64_t context_dim, int64_t heads) {
  Attention a;
  a.to_q_ = Linear::load(w, prefix + ".to_q", query_dim, query_dim, /*has_bias=*/false);
  a.to_k_ = Linear::load(w, prefix + ".to_k", context_dim, query_dim, false);
  a.to_v_ = Linear::load(w, prefix + ".to_v", context_dim, query_dim, false);
  a.to_out_ = Linear::load(w, prefix + ".to_out.0", query_dim, query_dim, true);
  a.heads_ = heads;
  return a;
}

Tensor Attention::operator()(const Tensor& x, const Tensor& context, const Tensor& bias) const {
  const Tensor& ctx = context.defined() ? context : x;
  Tensor q = split_heads(to_q_(x), heads_);
  Tensor k = split_heads(to_k_(ctx), heads_);
  Tensor v = split_heads(to_v_(ctx), heads_);
  tensor::AttentionOptions options;
  options.bias = bias;
  return to_out_(merge_heads(tensor::attention(q, k, v, options)));
}

}  // namespace foley::models
