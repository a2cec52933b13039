#pragma once

#include <string>

namespace foley::models {

// The activations transformers' ACT2FN names that these models use.
// kGelu = exact erf GELU ("gelu"); kGeluNew = tanh approximation
// ("gelu_new", "gelu_pytorch_tanh", "gelu_fast" is not accepted).
enum class Activation { kGelu, kGeluNew, kRelu, kSilu };

// Parses an ACT2FN name; returns false for a name we do not implement.
bool parse_activation(const std::string& name, Activation* out);

// "gelu", "gelu_new", "relu", "silu".
const char* activation_name(Activation a);

}  // namespace foley::models
