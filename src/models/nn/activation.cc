#include "models/nn/activation.h"

namespace foley::models {

bool parse_activation(const std::string& name, Activation* out) {
  if (name == "gelu") *out = Activation::kGelu;
  else if (name == "gelu_new" || name == "gelu_pytorch_tanh") *out = Activation::kGeluNew;
  else if (name == "relu") *out = Activation::kRelu;
  else if (name == "silu" || name == "swish") *out = Activation::kSilu;
  else return false;
  return true;
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kGelu: return "gelu";
    case Activation::kGeluNew: return "gelu_new";
    case Activation::kRelu: return "relu";
    case Activation::kSilu: return "silu";
  }
  return "?";
}

}  // namespace foley::models
