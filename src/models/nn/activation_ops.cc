#include "models/nn/activation_ops.h"

#include "tensor/ops.h"

namespace foley::models {

tensor::Tensor apply_activation(const tensor::Tensor& x, Activation a) {
  switch (a) {
    case Activation::kGelu: return tensor::gelu(x, tensor::GeluApproximation::kNone);
    case Activation::kGeluNew: return tensor::gelu(x, tensor::GeluApproximation::kTanh);
    case Activation::kRelu: return tensor::relu(x);
    case Activation::kSilu: return tensor::silu(x);
  }
  return x;
}

}  // namespace foley::models
