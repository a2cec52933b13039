#include "models/audioldm2/unet/cross_attention_slots.h"

#include "tensor/ops.h"

namespace foley::models {

using tensor::Tensor;

TransformerGroup TransformerGroup::load(const tensor::WeightMap& w, const std::string& prefix, int64_t layer,
                                        int64_t channels, const TransformerSlots& slots) {
  TransformerGroup g;
  const int64_t k = static_cast<int64_t>(slots.cross_attention_dim.size());
  for (int64_t idx = 0; idx < k; ++idx)
    g.transformers_.push_back(Transformer2DModel::load(w, prefix + ".attentions." + std::to_string(layer * k + idx),
                                                       channels, slots.cross_attention_dim[static_cast<size_t>(idx)],
                                                       slots.heads, slots.layers, slots.groups));
  return g;
}

Tensor expand_rows(const Tensor& x, const UNetConditioning& cond) {
  if (x.size(0) == cond.batch || !cond.rows.defined()) return x;
  return tensor::index_select(x, 0, cond.rows);
}

Tensor TransformerGroup::operator()(const Tensor& x, const UNetConditioning& cond) const {
  Tensor h = x;
  const Tensor none;
  for (size_t idx = 0; idx < transformers_.size(); ++idx) {
    const auto& t = transformers_[idx];
    if (!t.is_cross_attention()) {
      h = t(h, none, none);
      continue;
    }
    h = expand_rows(h, cond);
    if (idx <= 1) h = t(h, cond.encoder_hidden_states, none);
    else h = t(h, cond.encoder_hidden_states_1, cond.encoder_bias_1);
  }
  return h;
}

}  // namespace foley::models
