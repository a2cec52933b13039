#include "models/audioldm2/unet/timestep_embedding.h"

#include <cmath>
#include <vector>

namespace foley::models {

using tensor::Tensor;

Tensor timestep_projection(double timestep, int64_t batch, int64_t channels, bool flip_sin_to_cos, double freq_shift) {
  const int64_t half = channels / 2;
  // As torch: exponent = -ln(10000) * arange(half, f32) / (half - shift), exp, times float(t).
  const float log_period = -static_cast<float>(std::log(10000.0));
  const float t = static_cast<float>(timestep);
  std::vector<float> row(static_cast<size_t>(channels), 0.0f);
  for (int64_t i = 0; i < half; ++i) {
    const float exponent = (log_period * static_cast<float>(i)) / static_cast<float>(half - freq_shift);
    const float arg = t * std::exp(exponent);
    const float s = std::sin(arg), c = std::cos(arg);
    row[static_cast<size_t>(i)] = flip_sin_to_cos ? c : s;
    row[static_cast<size_t>(half + i)] = flip_sin_to_cos ? s : c;
  }
  std::vector<float> all;
  for (int64_t b = 0; b < batch; ++b) all.insert(all.end(), row.begin(), row.end());
  return Tensor::from_vector(all, {batch, channels});
}

TimestepEmbedding TimestepEmbedding::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in,
                                          int64_t out) {
  TimestepEmbedding e;
  e.linear_1_ = Linear::load(w, prefix + ".linear_1", in, out);
  e.linear_2_ = Linear::load(w, prefix + ".linear_2", out, out);
  return e;
}

Tensor TimestepEmbedding::operator()(const Tensor& projection) const {
  return linear_2_(tensor::silu(linear_1_(projection)));
}

}  // namespace foley::models
