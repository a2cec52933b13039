#include "models/audioldm2/projection_model.h"

#include "common/error.h"

namespace foley::models {

using tensor::DType;
using tensor::Tensor;

namespace {

// [D] → [B, 1, D] (a copy per batch row).
Tensor broadcast_token(const Tensor& vec, int64_t batch) {
  std::vector<Tensor> rows(static_cast<size_t>(batch), vec.reshape({1, 1, vec.size(0)}));
  return tensor::cat(rows, 0);
}

// [sos | x | eos] along dim 1, mask [1 | m | 1].
void wrap(const Tensor& x, const Tensor& mask, const Tensor& sos, const Tensor& eos, std::vector<Tensor>& seq,
          std::vector<Tensor>& masks) {
  const int64_t b = x.size(0);
  Tensor ones = Tensor::full({b, 1}, 1.0, DType::kI64);
  seq.push_back(broadcast_token(sos, b));
  seq.push_back(x);
  seq.push_back(broadcast_token(eos, b));
  masks.push_back(ones);
  masks.push_back(mask.to(tensor::Device::cpu()).to(DType::kI64));
  masks.push_back(ones);
}

}  // namespace

AudioLDM2ProjectionModel AudioLDM2ProjectionModel::load(const AudioLDM2ProjectionConfig& config,
                                                        const tensor::WeightMap& w) {
  AudioLDM2ProjectionModel m;
  m.config_ = config;
  m.device_ = w.placement().device;
  const int64_t d = config.langauge_model_dim;
  m.projection_ = Linear::load(w, "projection", config.text_encoder_dim, d);
  m.projection_1_ = Linear::load(w, "projection_1", config.text_encoder_1_dim, d);
  m.sos_embed_ = w.get("sos_embed", {d});
  m.eos_embed_ = w.get("eos_embed", {d});
  m.sos_embed_1_ = w.get("sos_embed_1", {d});
  m.eos_embed_1_ = w.get("eos_embed_1", {d});
  return m;
}

ProjectionOutput AudioLDM2ProjectionModel::forward(const Tensor& hidden_states, const Tensor& attention_mask,
                                                   const Tensor& hidden_states_1, const Tensor& attention_mask_1) const {
  if (hidden_states.dim() != 3 || hidden_states_1.dim() != 3 || hidden_states.size(0) != hidden_states_1.size(0) ||
      attention_mask.shape() != tensor::Shape{hidden_states.size(0), hidden_states.size(1)} ||
      attention_mask_1.shape() != tensor::Shape{hidden_states_1.size(0), hidden_states_1.size(1)})
    throw Error("projection model: expected hidden_states [B, L1, D1] " + hidden_states.to_string() + " with mask [B, L1] " +
                attention_mask.to_string() + " and hidden_states_1 [B, L2, D2] " + hidden_states_1.to_string() +
                " with mask [B, L2] " + attention_mask_1.to_string());
  std::vector<Tensor> seq, masks;
  wrap(projection_(hidden_states.to(device_)), attention_mask, sos_embed_, eos_embed_, seq, masks);
  wrap(projection_1_(hidden_states_1.to(device_)), attention_mask_1, sos_embed_1_, eos_embed_1_, seq, masks);
  return {tensor::cat(seq, 1), tensor::cat(masks, 1)};
}

}  // namespace foley::models
