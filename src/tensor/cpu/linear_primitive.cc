#include "tensor/cpu/linear_primitive.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/error.h"
#include "tensor/cpu/common.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/lru_cache.h"
#include "tensor/cpu/onednn_engine.h"
#include "tensor/cpu/onednn_weights.h"

namespace foley::tensor::cpu {
namespace {

using dnnl::memory;

struct LinearPrimitive {
  memory::desc src, weights, bias, dst;
  memory::desc user_weights;  // w as the caller holds it; `weights` differs when the primitive packs them
  // Ours (scratchpad_mode::user, thread_scratch): with the library's, every cached primitive would keep its
  // own buffer (the packed weights, up to k x n floats) for as long as it is cached.
  memory::desc scratchpad;
  dnnl::matmul matmul;
};

struct ShapeKey {
  int64_t rows, n, k;
  bool has_bias;
  bool operator==(const ShapeKey& o) const {
    return rows == o.rows && n == o.n && k == o.k && has_bias == o.has_bias;
  }
};
struct ShapeKeyHash {
  size_t operator()(const ShapeKey& s) const {
    size_t h = std::hash<int64_t>()(s.rows);
    for (int64_t v : {s.n, s.k, static_cast<int64_t>(s.has_bias)}) h = h * 1000003u ^ std::hash<int64_t>()(v);
    return h;
  }
};

// A model has a few dozen linear shapes per audio length (the rows are batch x tokens); the cache keeps the
// most recently used kMaxLinearPrimitives, so a server meeting many cue durations does not grow without bound.
constexpr size_t kMaxLinearPrimitives = 512;

std::shared_ptr<const LinearPrimitive> primitive_for(int64_t rows, int64_t n, int64_t k, bool has_bias) {
  static std::mutex* mutex = new std::mutex;
  static auto* cache = new LruCache<ShapeKey, std::shared_ptr<const LinearPrimitive>, ShapeKeyHash>(kMaxLinearPrimitives);
  const ShapeKey key{rows, n, k, has_bias};
  {
    std::lock_guard<std::mutex> lock(*mutex);
    if (auto found = cache->get(key)) return *found;
  }
  auto p = std::make_shared<LinearPrimitive>();
  p->src = memory::desc({rows, k}, memory::data_type::f32, memory::format_tag::ab);
  // w is [n, k] row-major: the [k, n] matrix the matmul wants, stored transposed. With enough rows it reads a
  // copy made once (linear_weights()), [k, n] row-major with padded rows: oneDNN's own choice (format_tag::any) is
  // the same layout unpadded, whose row stride is a multiple of 4 KiB on the UNet's widest layers (n = 2560, 5120)
  // and halves the kernel's speed there (128 x 640 -> 5120: 9.2 ms, 4.5 ms padded).
  p->user_weights = memory::desc({k, n}, memory::data_type::f32, memory::format_tag::ba);
  p->weights = rows >= kPackedLinearMinRows
                   ? memory::desc({k, n}, memory::data_type::f32, memory::dims{padded_row_stride(n), 1})
                   : p->user_weights;
  p->dst = memory::desc({rows, n}, memory::data_type::f32, memory::format_tag::ab);
  if (has_bias) p->bias = memory::desc({1, n}, memory::data_type::f32, memory::format_tag::ab);
  const dnnl::matmul::desc desc = has_bias ? dnnl::matmul::desc(p->src, p->weights, p->bias, p->dst)
                                           : dnnl::matmul::desc(p->src, p->weights, p->dst);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::matmul::primitive_desc pd(desc, attr, onednn_engine());  // outside the lock
  p->scratchpad = pd.scratchpad_desc();
  p->weights = pd.weights_desc();
  p->matmul = dnnl::matmul(pd);
  std::lock_guard<std::mutex> lock(*mutex);
  return cache->put(key, std::move(p));
}

OneDnnWeightCache& linear_weights() {
  static auto* cache = new OneDnnWeightCache(kMaxLinearWeightLayouts);  // never destroyed, as the primitives
  return *cache;
}

}  // namespace

void linear_onednn(int64_t rows, const float* x, const Tensor& weight_in, const Tensor& weight, const float* bias,
                   float* y) {
  const int64_t n = weight.size(0), k = weight.size(1);
  try {
    auto p = primitive_for(rows, n, k, bias != nullptr);
    const dnnl::engine& eng = onednn_engine();
    // oneDNN only reads src, weights and bias.
    memory src(p->src, eng, const_cast<float*>(x));
    memory weights = p->weights == p->user_weights
                         ? memory(p->weights, eng, const_cast<float*>(weight.data<float>()))
                         : linear_weights().find(weight_in, weight, p->user_weights, p->weights);
    memory dst(p->dst, eng, y);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(p->bias, eng, const_cast<float*>(bias)));
    args.emplace(DNNL_ARG_SCRATCHPAD, memory(p->scratchpad, eng, thread_scratch(Scratch::kMatmulPad, p->scratchpad.get_size())));
    dnnl::stream stream(eng);
    p->matmul.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw Error::failure(std::string("oneDNN matmul failed: ") + e.what());
  }
}

int64_t linear_cached_weights() { return linear_weights().size(); }
void clear_linear_cache() { linear_weights().clear(); }

}  // namespace foley::tensor::cpu
