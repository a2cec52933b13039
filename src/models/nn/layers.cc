#include "models/nn/layers.h"

#include <limits>

#include "common/error.h"

namespace foley::models {

using tensor::Tensor;

Linear Linear::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out, bool has_bias) {
  Linear l;
  l.weight = w.get(prefix + ".weight", {out, in});
  if (has_bias) l.bias = w.get(prefix + ".bias", {out});
  return l;
}

Conv1D Conv1D::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out) {
  Conv1D c;
  c.weight = w.get(prefix + ".weight", {in, out});
  c.bias = w.get(prefix + ".bias", {out});
  return c;
}

Tensor Conv1D::operator()(const Tensor& x) const { return tensor::add(tensor::matmul(x, weight), bias); }

LayerNorm LayerNorm::load(const tensor::WeightMap& w, const std::string& prefix, int64_t dim, double eps) {
  LayerNorm n;
  n.weight = w.get(prefix + ".weight", {dim});
  n.bias = w.get(prefix + ".bias", {dim});
  n.eps = eps;
  return n;
}

Tensor split_heads(const Tensor& x, int64_t heads) {
  const int64_t b = x.size(0), l = x.size(1), hd = x.size(2);
  if (hd % heads != 0)
    throw Error("split_heads: last dim " + std::to_string(hd) + " not divisible by " + std::to_string(heads) + " heads");
  return x.reshape({b, l, heads, hd / heads}).permute({0, 2, 1, 3});
}

Tensor merge_heads(const Tensor& x) {
  const int64_t b = x.size(0), h = x.size(1), l = x.size(2), d = x.size(3);
  return x.permute({0, 2, 1, 3}).reshape({b, l, h * d});
}

Tensor padding_mask_bias(const Tensor& attention_mask) {
  std::vector<int64_t> m = attention_mask.to(tensor::Device::cpu()).to_vector_i64();
  const int64_t b = attention_mask.size(0), l = attention_mask.size(1);
  const float kMin = std::numeric_limits<float>::lowest();
  std::vector<float> bias(m.size());
  for (size_t i = 0; i < m.size(); ++i) bias[i] = (1.0f - static_cast<float>(m[i])) * kMin;
  return Tensor::from_vector(bias, {b, 1, 1, l});
}

}  // namespace foley::models
