#pragma once

#include "engine/configs/activation.h"
#include "tensor/tensor.h"

namespace foley::engine {

// Applies a config activation with tensor ops (gelu exact / tanh, relu, silu).
tensor::Tensor apply_activation(const tensor::Tensor& x, Activation a);

}  // namespace foley::engine
