#include "tensor/cpu/linear_primitive.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include "common/error.h"
#include "tensor/cpu/onednn_engine.h"

namespace foley::tensor::cpu {
namespace {

using dnnl::memory;

struct LinearPrimitive {
  memory::desc src, weights, bias, dst;
  dnnl::matmul matmul;
};

// Shapes seen in one model are few (a few dozen); the cache is never trimmed.
std::shared_ptr<const LinearPrimitive> primitive_for(int64_t rows, int64_t n, int64_t k, bool has_bias) {
  static std::mutex* mutex = new std::mutex;
  static auto* cache = new std::map<std::tuple<int64_t, int64_t, int64_t, bool>, std::shared_ptr<const LinearPrimitive>>;
  std::lock_guard<std::mutex> lock(*mutex);
  auto key = std::make_tuple(rows, n, k, has_bias);
  if (auto it = cache->find(key); it != cache->end()) return it->second;
  auto p = std::make_shared<LinearPrimitive>();
  p->src = memory::desc({rows, k}, memory::data_type::f32, memory::format_tag::ab);
  // w is [n, k] row-major: the [k, n] matrix the matmul wants, stored transposed.
  p->weights = memory::desc({k, n}, memory::data_type::f32, memory::format_tag::ba);
  p->dst = memory::desc({rows, n}, memory::data_type::f32, memory::format_tag::ab);
  if (has_bias) p->bias = memory::desc({1, n}, memory::data_type::f32, memory::format_tag::ab);
  const dnnl::matmul::desc desc = has_bias ? dnnl::matmul::desc(p->src, p->weights, p->bias, p->dst)
                                           : dnnl::matmul::desc(p->src, p->weights, p->dst);
  p->matmul = dnnl::matmul(dnnl::matmul::primitive_desc(desc, onednn_engine()));
  return cache->emplace(key, std::move(p)).first->second;
}

}  // namespace

void linear_onednn(int64_t rows, int64_t n, int64_t k, const float* x, const float* w, const float* bias, float* y) {
  try {
    auto p = primitive_for(rows, n, k, bias != nullptr);
    const dnnl::engine& eng = onednn_engine();
    // oneDNN only reads src, weights and bias.
    memory src(p->src, eng, const_cast<float*>(x));
    memory weights(p->weights, eng, const_cast<float*>(w));
    memory dst(p->dst, eng, y);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(p->bias, eng, const_cast<float*>(bias)));
    dnnl::stream stream(eng);
    p->matmul.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw Error::failure(std::string("oneDNN matmul failed: ") + e.what());
  }
}

}  // namespace foley::tensor::cpu
