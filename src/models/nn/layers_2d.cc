#include "models/nn/layers_2d.h"

#include <cmath>

#include "common/error.h"

namespace foley::models {

using tensor::Tensor;

Conv2d Conv2d::load(const tensor::WeightMap& w, const std::string& prefix, int64_t in, int64_t out, int64_t kernel,
                    int64_t stride, int64_t padding) {
  Conv2d c;
  c.weight = w.get(prefix + ".weight", {out, in, kernel, kernel});
  c.bias = w.get(prefix + ".bias", {out});
  c.stride = stride;
  c.padding = padding < 0 ? kernel / 2 : padding;
  return c;
}

Tensor Conv2d::operator()(const Tensor& x) const {
  return tensor::conv2d(x, weight, bias, tensor::Conv2dOptions::make(stride, padding));
}

BatchNorm2d BatchNorm2d::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels, double eps) {
  auto host = [&](const std::string& name) {
    return w.get(prefix + "." + name).to(tensor::DType::kF32).to(tensor::Device::cpu()).to_vector_f32();
  };
  std::vector<float> weight = host("weight"), bias = host("bias"), mean = host("running_mean"), var = host("running_var");
  for (const auto* v : {&weight, &bias, &mean, &var})
    if (static_cast<int64_t>(v->size()) != channels)
      throw Error(w.source().string() + ": " + prefix + " has " + std::to_string(v->size()) + " channels, expected " +
                  std::to_string(channels));
  std::vector<float> scale(weight.size()), shift(weight.size());
  for (size_t c = 0; c < weight.size(); ++c) {
    const double s = static_cast<double>(weight[c]) / std::sqrt(static_cast<double>(var[c]) + eps);
    scale[c] = static_cast<float>(s);
    shift[c] = static_cast<float>(static_cast<double>(bias[c]) - static_cast<double>(mean[c]) * s);
  }
  BatchNorm2d n;
  n.scale = Tensor::from_vector(scale, {channels, 1, 1}).to(w.placement().device);
  n.shift = Tensor::from_vector(shift, {channels, 1, 1}).to(w.placement().device);
  return n;
}

GroupNorm GroupNorm::load(const tensor::WeightMap& w, const std::string& prefix, int64_t channels, int64_t groups,
                          double eps) {
  GroupNorm g;
  g.weight = w.get(prefix + ".weight", {channels});
  g.bias = w.get(prefix + ".bias", {channels});
  g.groups = groups;
  g.eps = eps;
  return g;
}

Tensor image_to_tokens(const Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.reshape({b, c, h * w}).transpose(1, 2);
}

Tensor tokens_to_image(const Tensor& tokens, int64_t height, int64_t width) {
  const int64_t b = tokens.size(0), c = tokens.size(2);
  return tokens.transpose(1, 2).reshape({b, c, height, width});
}

}  // namespace foley::models
