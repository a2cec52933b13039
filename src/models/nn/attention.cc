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
  tensor::AttentionOptions options;
  options.bias = bias;
  // Token-major q/k/v as the projections give them: no copies to split the heads and merge them back.
  return to_out_(tensor::attention_heads(to_q_(x), to_k_(ctx), to_v_(ctx), heads_, options));
}

}  // namespace foley::models
