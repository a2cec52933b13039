// The oneDNN direct convolution's caches (conv_direct.h): primitives by shape
// (least recently used dropped past kMaxConvPrimitives) and weights reordered
// into a primitive's layout (at most kMaxConvWeightLayouts per weight tensor).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tensor/cpu/conv.h"
#include "tensor/cpu/conv_direct.h"
#include "tensor/cpu/conv_transpose_phases.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/conv_winograd2d.h"
#include "tensor/cpu/lru_cache.h"
#include "tensor/cpu/onednn_engine.h"
#include "tensor/cpu/onednn_weights.h"

namespace foley::tensor::cpu {
namespace {

struct DirectSpecHash {
  size_t operator()(const DirectSpec& s) const {
    const auto* p = reinterpret_cast<const int64_t*>(&s);
    size_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof(s) / sizeof(int64_t); ++i) h = (h ^ static_cast<size_t>(p[i])) * 1099511628211ULL;
    return h;
  }
};

struct DirectCache {
  std::mutex mutex;  // the primitives'
  LruCache<DirectSpec, std::shared_ptr<DirectPrimitive>, DirectSpecHash> primitives{kMaxConvPrimitives};
  OneDnnWeightCache weights{kMaxConvWeightLayouts};
};

DirectCache& direct_cache() {
  static DirectCache* cache = new DirectCache;  // never destroyed: oneDNN objects outlive static teardown order
  return *cache;
}

std::shared_ptr<DirectPrimitive> build_primitive(const DirectSpec& s) {
  using dnnl::memory;
  using tag = memory::format_tag;
  auto prim = std::make_shared<DirectPrimitive>();
  const memory::dims src_dims{s.n, s.c_in, s.h, s.w}, dst_dims{s.n, s.c_out, s.oh, s.ow};
  const memory::dims w_dims{s.c_out, s.c_in, s.kh, s.kw}, b_dims{s.c_out};
  const memory::dims strides{s.stride_h, s.stride_w}, dilates{s.dil_h - 1, s.dil_w - 1};
  const memory::dims pad_l{s.pad_h, s.pad_w}, pad_r{s.pad_h_r, s.pad_w_r};
  const auto f32 = memory::data_type::f32;
  const memory::desc src_any(src_dims, f32, tag::any), w_any(w_dims, f32, tag::any), dst_any(dst_dims, f32, tag::any);
  const memory::desc bias_md = s.has_bias ? memory::desc(b_dims, f32, tag::x) : memory::desc();
  try {
    const auto& eng = onednn_engine();
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (s.transposed) {
      const dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                                dnnl::algorithm::deconvolution_direct, src_any, w_any, bias_md, dst_any,
                                                strides, dilates, pad_l, pad_r);
      const dnnl::deconvolution_forward::primitive_desc pd(d, attr, eng);
      prim->compute = dnnl::deconvolution_forward(pd);
      prim->src_md = pd.src_desc();
      prim->weights_md = pd.weights_desc();
      prim->dst_md = pd.dst_desc();
      prim->scratchpad_md = pd.scratchpad_desc();
    } else {
      // Winograd F(4x4, 3x3) does ~2.25x fewer multiplies than direct 3x3 convolution; measured 2-3x faster on the
      // VAE and UNet shapes (docs/performance.md) and within the golden tolerances.
      const bool wino = conv_winograd_enabled() && s.kh == 3 && s.kw == 3 && s.stride_h == 1 && s.stride_w == 1 &&
                        s.dil_h == 1 && s.dil_w == 1;
      auto make_pd = [&](dnnl::algorithm alg) {
        const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, alg,
                                                src_any, w_any, bias_md, dst_any, strides, dilates, pad_l, pad_r);
        return dnnl::convolution_forward::primitive_desc(d, attr, eng);
      };
      dnnl::convolution_forward::primitive_desc pd;
      try {
        pd = make_pd(wino ? dnnl::algorithm::convolution_winograd : dnnl::algorithm::convolution_direct);
      } catch (const dnnl::error&) {
        pd = make_pd(dnnl::algorithm::convolution_direct);
      }
      prim->compute = dnnl::convolution_forward(pd);
      prim->src_md = pd.src_desc();
      prim->weights_md = pd.weights_desc();
      prim->dst_md = pd.dst_desc();
      prim->scratchpad_md = pd.scratchpad_desc();
    }
    prim->user_src_md = memory::desc(src_dims, f32, tag::nchw);
    prim->user_dst_md = memory::desc(dst_dims, f32, tag::nchw);
    // PyTorch stores a transposed conv's weight [C_in, C_out, K]: oneDNN's iohw.
    prim->user_weights_md = memory::desc(w_dims, f32, s.transposed ? tag::iohw : tag::oihw);
    prim->bias_md = bias_md;
    prim->reorder_src = prim->src_md != prim->user_src_md;
    prim->reorder_dst = prim->dst_md != prim->user_dst_md;
    if (prim->reorder_src) prim->to_src = dnnl::reorder(dnnl::reorder::primitive_desc(eng, prim->user_src_md, eng, prim->src_md));
    if (prim->reorder_dst)
      prim->from_dst = dnnl::reorder(dnnl::reorder::primitive_desc(eng, prim->dst_md, eng, prim->user_dst_md));
    prim->supported = true;
  } catch (const dnnl::error&) {
    prim->supported = false;  // this shape goes through im2col
  }
  return prim;
}

}  // namespace

std::shared_ptr<DirectPrimitive> find_primitive(const DirectSpec& s) {
  DirectCache& cache = direct_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (auto found = cache.primitives.get(s)) return *found;
  }
  auto prim = build_primitive(s);  // outside the lock: creation takes milliseconds
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.primitives.put(s, prim);
}

dnnl::memory find_weights(const DirectPrimitive& prim, const Tensor& weight_in, const Tensor& weight_f32) {
  return direct_cache().weights.find(weight_in, weight_f32, prim.user_weights_md, prim.weights_md);
}

void clear_conv_cache() {
  DirectCache& cache = direct_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.primitives.clear();
  }
  cache.weights.clear();
  clear_winograd1d_cache();
  clear_winograd2d_cache();
  clear_conv_transpose_phase_cache();
}

int64_t conv_cached_weights() { return direct_cache().weights.size(); }

int64_t conv_cached_primitives() {
  DirectCache& cache = direct_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return static_cast<int64_t>(cache.primitives.size());
}

}  // namespace foley::tensor::cpu
