#include "tensor/cpu/onednn_engine.h"

#include "tensor/cpu/isa.h"

namespace foley::tensor::cpu {

const dnnl::engine& onednn_engine() {
  static const dnnl::engine* engine = (init_onednn_isa(), new dnnl::engine(dnnl::engine::kind::cpu, 0));
  return *engine;
}

}  // namespace foley::tensor::cpu
