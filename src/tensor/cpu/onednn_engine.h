#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace foley::tensor::cpu {

// The process's oneDNN CPU engine, shared by every primitive (convolutions,
// linear layers). Never destroyed: oneDNN objects outlive static teardown.
const dnnl::engine& onednn_engine();

}  // namespace foley::tensor::cpu
