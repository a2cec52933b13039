#pragma once

#include "models/nn/activation.h"
#include "tensor/tensor.h"

namespace foley::models {

// Applies a config activation with tensor ops (gelu exact / tanh, relu, silu).
tensor::Tensor apply_activation(const tensor::Tensor& x, Activation a);

}  // namespace foley::models
