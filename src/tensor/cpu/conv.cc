// Convolutions on the CPU. Two implementations (tensor/cpu/conv.h):
// - im2col (in bands of output rows, to bound memory) followed by one GEMM per
//   band and group; transposed conv as GEMM + col2im;
// - oneDNN direct convolution / deconvolution with primitives cached by shape
//   and weights reordered once per weight tensor.
// conv1d is conv2d with a height of 1.
#include "tensor/cpu/conv.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/lru_cache.h"
#include "tensor/cpu/onednn_engine.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

using cpu::ConvAlgorithm;
using cpu::kDirectMinPlane;

// Bytes of im2col buffer we allow per band; bigger bands do not speed up GEMM.
constexpr int64_t kColumnBudget = 8 << 20;

struct Conv2dGeometry {
  int64_t n, c_in, h, w, c_out, kh, kw, oh, ow, groups;
  Conv2dOptions o;
};

// Fills col[(c, i, j), (r, x)] for output rows [row0, row0+rows) of channels
// [c0, c0+channels) of one image.
void im2col(const float* image, const Conv2dGeometry& g, int64_t c0, int64_t channels, int64_t row0, int64_t rows,
            float* col) {
  const int64_t cols = rows * g.ow;
  cpu::parallel_for(channels * g.kh * g.kw, 8, [&](int64_t begin, int64_t end) {
    for (int64_t q = begin; q < end; ++q) {
      const int64_t c = q / (g.kh * g.kw), i = (q / g.kw) % g.kh, j = q % g.kw;
      const float* plane = image + (c0 + c) * g.h * g.w;
      float* dst = col + q * cols;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t y = (row0 + r) * g.o.stride_h - g.o.padding_h + i * g.o.dilation_h;
        float* d = dst + r * g.ow;
        if (y < 0 || y >= g.h) {
          std::fill(d, d + g.ow, 0.0f);
          continue;
        }
        const float* src_row = plane + y * g.w;
        for (int64_t x = 0; x < g.ow; ++x) {
          const int64_t xs = x * g.o.stride_w - g.o.padding_w + j * g.o.dilation_w;
          d[x] = (xs >= 0 && xs < g.w) ? src_row[xs] : 0.0f;
        }
      }
    }
  });
}

// --- oneDNN direct convolution ---------------------------------------------------------------------------------

// Everything that determines one oneDNN primitive (nchw in/out, oihw or iohw weights, groups = 1).
struct DirectSpec {
  int64_t n, c_in, h, w, c_out, kh, kw, oh, ow, stride_h, stride_w, pad_h, pad_w, pad_h_r, pad_w_r, dil_h, dil_w;
  int64_t has_bias, transposed;
  bool operator==(const DirectSpec& o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }
};
struct DirectSpecHash {
  size_t operator()(const DirectSpec& s) const {
    const auto* p = reinterpret_cast<const int64_t*>(&s);
    size_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof(s) / sizeof(int64_t); ++i) h = (h ^ static_cast<size_t>(p[i])) * 1099511628211ULL;
    return h;
  }
};

// A primitive with the reorders between our nchw tensors and its layouts.
struct DirectPrimitive {
  bool supported = false;
  dnnl::primitive compute;
  dnnl::memory::desc src_md, weights_md, dst_md;            // chosen by the library
  dnnl::memory::desc user_src_md, user_weights_md, user_dst_md, bias_md;  // ours
  bool reorder_src = false, reorder_dst = false;
  dnnl::reorder to_src, from_dst;
  // The scratchpad is ours (scratchpad_mode::user): with the library's, every cached primitive kept its own
  // (Winograd's run to tens of MB), so memory grew with every shape a server met.
  dnnl::memory::desc scratchpad_md;
};

// A weight tensor reordered into a primitive's layout. `storage` is weak: the copy lives only as long as the
// weight it came from, so a new tensor at a recycled address never hits a stale entry.
struct ReorderedWeights {
  std::weak_ptr<Storage> storage;
  size_t offset = 0;
  uint64_t last_used = 0;  // DirectCache::tick at the last lookup
  dnnl::memory::desc md;
  std::array<float, 16> samples{};  // guards against a weight written in place after its first use
  dnnl::memory memory;
};

using cpu::kMaxConvPrimitives;
using cpu::kMaxConvWeightLayouts;

struct DirectCache {
  std::mutex mutex;
  cpu::LruCache<DirectSpec, std::shared_ptr<DirectPrimitive>, DirectSpecHash> primitives{kMaxConvPrimitives};
  std::unordered_map<const Storage*, std::vector<std::shared_ptr<ReorderedWeights>>> weights;
  uint64_t tick = 0;
};

DirectCache& direct_cache() {
  static DirectCache* cache = new DirectCache;  // never destroyed: oneDNN objects outlive static teardown order
  return *cache;
}

ConvAlgorithm initial_algorithm() {
  const char* env = std::getenv("FOLEY_CONV");
  if (env && std::string(env) == "im2col") return ConvAlgorithm::kIm2col;
  if (env && std::string(env) == "direct") return ConvAlgorithm::kDirect;
  return ConvAlgorithm::kAuto;
}

std::atomic<ConvAlgorithm>& algorithm_slot() {
  static std::atomic<ConvAlgorithm> slot{initial_algorithm()};
  return slot;
}

// Measured (docs/performance.md): the direct primitive wins on every kernel wider than 1x1 with a large output
// plane and loses on the deepest UNet levels (32x2, 64x4), where its reorders cost more than the GEMM.
bool want_direct(int64_t kernel_area, int64_t out_plane, int64_t groups) {
  if (groups != 1) return false;
  switch (algorithm_slot().load(std::memory_order_relaxed)) {
    case ConvAlgorithm::kIm2col: return false;
    case ConvAlgorithm::kDirect: return true;
    case ConvAlgorithm::kAuto: break;
  }
  return kernel_area > 1 && out_plane >= kDirectMinPlane;
}

// FOLEY_CONV_WINOGRAD=0 turns the Winograd path off (benchmarks, accuracy checks).
bool winograd_enabled() {
  static const bool enabled = [] {
    const char* env = std::getenv("FOLEY_CONV_WINOGRAD");
    return !(env && std::string(env) == "0");
  }();
  return enabled;
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
    const auto& eng = cpu::onednn_engine();
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
      const bool wino = winograd_enabled() && s.kh == 3 && s.kw == 3 && s.stride_h == 1 && s.stride_w == 1 &&
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

std::array<float, 16> sample_weights(const float* w, int64_t numel) {
  std::array<float, 16> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = w[(numel - 1) * static_cast<int64_t>(i) / 15];
  return out;
}

// The weights of `weight_in` (the caller's tensor, maybe f16) in `prim`'s layout, reordered on first use.
dnnl::memory find_weights(const DirectPrimitive& prim, const Tensor& weight_in, const Tensor& weight_f32) {
  const float* w = weight_f32.data<float>();
  const auto samples = sample_weights(w, weight_f32.numel());
  const Storage* key = weight_in.storage().get();
  DirectCache& cache = direct_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto& entries = cache.weights[key];
    for (auto it = entries.begin(); it != entries.end();) {
      const auto& e = *it;
      if (e->storage.lock() != weight_in.storage()) {
        it = entries.erase(it);  // the weight it came from is gone; its address was recycled
        continue;
      }
      if (e->offset == weight_in.storage_offset() && e->md == prim.weights_md) {
        if (e->samples == samples) {
          e->last_used = ++cache.tick;
          return e->memory;
        }
        it = entries.erase(it);  // written in place since: reorder again
        continue;
      }
      ++it;
    }
  }
  auto entry = std::make_shared<ReorderedWeights>();
  entry->storage = weight_in.storage();
  entry->offset = weight_in.storage_offset();
  entry->md = prim.weights_md;
  entry->samples = samples;
  const auto& eng = cpu::onednn_engine();
  entry->memory = dnnl::memory(prim.weights_md, eng);
  dnnl::memory user(prim.user_weights_md, eng, const_cast<float*>(w));
  dnnl::stream stream(eng);
  dnnl::reorder(user, entry->memory).execute(stream, user, entry->memory);
  stream.wait();
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto& entries = cache.weights[key];
  // Past kMaxConvWeightLayouts layouts of this weight, drop the least recently used.
  std::vector<std::shared_ptr<ReorderedWeights>>::iterator oldest = entries.end();
  size_t layouts = 0;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if ((*it)->offset != entry->offset) continue;
    ++layouts;
    if (oldest == entries.end() || (*it)->last_used < (*oldest)->last_used) oldest = it;
  }
  if (layouts >= kMaxConvWeightLayouts) entries.erase(oldest);
  entry->last_used = ++cache.tick;
  entries.push_back(entry);
  return entry->memory;
}

// One primitive bound to its memories: `in`/`out` nchw (ours), the blocked copies and the scratchpad in this
// thread's scratch. run() reorders in, computes and reorders out.
struct BoundPrimitive {
  const DirectPrimitive& prim;
  dnnl::memory user_src, user_dst, src, dst;
  std::unordered_map<int, dnnl::memory> args;

  BoundPrimitive(const DirectPrimitive& p, const dnnl::memory& weights, const float* in, float* out,
                 const Tensor& bias, bool has_bias)
      : prim(p) {
    const auto& eng = cpu::onednn_engine();
    user_src = dnnl::memory(p.user_src_md, eng, const_cast<float*>(in));
    user_dst = dnnl::memory(p.user_dst_md, eng, out);
    src = p.reorder_src ? dnnl::memory(p.src_md, eng, cpu::thread_scratch(cpu::Scratch::kConvSrc, p.src_md.get_size()))
                        : user_src;
    dst = p.reorder_dst ? dnnl::memory(p.dst_md, eng, cpu::thread_scratch(cpu::Scratch::kConvDst, p.dst_md.get_size()))
                        : user_dst;
    args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (has_bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(p.bias_md, eng, const_cast<float*>(bias.data<float>())));
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 dnnl::memory(p.scratchpad_md, eng, cpu::thread_scratch(cpu::Scratch::kConvPad, p.scratchpad_md.get_size())));
  }

  void run(dnnl::stream& stream) {
    if (prim.reorder_src) prim.to_src.execute(stream, user_src, src);
    prim.compute.execute(stream, args);
    if (prim.reorder_dst) prim.from_dst.execute(stream, dst, user_dst);
    stream.wait();
  }
};

// Runs `s` through oneDNN into `out` (nchw). Returns false when the library has no primitive for the shape.
bool run_direct(const DirectSpec& s, const Tensor& x, const Tensor& weight_in, const Tensor& weight_f32,
                const Tensor& bias, Tensor& out) {
  const auto prim = find_primitive(s);
  if (!prim->supported) return false;
  BoundPrimitive bound(*prim, find_weights(*prim, weight_in, weight_f32), x.data<float>(), out.data<float>(), bias,
                       s.has_bias != 0);
  dnnl::stream stream(cpu::onednn_engine());
  bound.run(stream);
  return true;
}

// Long convolutions run in tiles along the time axis through one primitive whose shape does not depend on the
// length: 1-D rows (height 1: HiFi-GAN) in tiles of kConv1dTile outputs, 2-D planes (the VAE, UNet level 0) in
// tiles of whole rows, about kConv2dTileOutputs outputs each (a multiple of 4 rows, so Winograd's 4x4 output
// tiles fall where they fall untiled). Why:
// - oneDNN's primitive creation grows with the width (0.1-0.6 s for one HiFi-GAN layer at 10 s of audio,
//   ONEDNN_VERBOSE=2), and its Winograd weight layout follows the plane's size: a new cue duration made a server
//   create primitives and re-transform weights (2.7 s for the VAE) and keep both;
// - a tile's working set stays in cache: measured 0.58-0.84x the time of the untiled VAE convolutions.
// Each tile's input (with its halo and the zero padding at either end) is gathered into nchw scratch, the last
// tile is padded to the full tile, and the valid outputs are copied into place. Planes shorter than two tiles
// keep their exact shape (padding them to a tile would multiply the work of short cues).
constexpr int64_t kConv1dTile = 4096;
constexpr int64_t kConv2dTileOutputs = 1024;

// 2-D tiles only where a tile is real work (multiply-adds per tile, about 2^24): on the test models' 8-16
// channels a tile is a few microseconds of compute against the fixed cost of its gather, reorders and
// parallel regions, and their weights are too small for the layouts to matter.
constexpr int64_t kConv2dTileMinWork = int64_t{1} << 24;

// Outputs along the tiled axis per tile (W for 1-D, rows for 2-D), or 0 when `s` runs untiled.
int64_t tile_length(const DirectSpec& s) {
  if (s.transposed) return 0;
  if (s.h == 1 && s.oh == 1) return s.ow > kConv1dTile ? kConv1dTile : 0;
  const int64_t rows = ((kConv2dTileOutputs + s.ow - 1) / s.ow + 3) / 4 * 4;
  if (s.c_in * s.c_out * s.kh * s.kw * rows * s.ow < kConv2dTileMinWork) return 0;
  return s.oh > 2 * rows ? rows : 0;
}

// One axis of a DirectSpec: the tiled one.
struct Axis {
  int64_t in, out, stride, pad, kernel, dil;
  int64_t unit_in, unit_out;  // elements of one position along it in an input / output plane
};

// With `ep` (conv1d_fused, 1-D only), the input activation is applied while gathering a tile and the rest of the
// epilogue (its bias aside: the primitive adds it) while copying the tile out, in the order of the unfused
// composition.
bool run_direct_tiled(const DirectSpec& s, int64_t tile, const Tensor& x, const Tensor& weight_in,
                      const Tensor& weight_f32, const Tensor& bias, Tensor& out,
                      const cpu::Conv1dEpilogue* ep = nullptr) {
  const bool rows = !(s.h == 1 && s.oh == 1);
  const Axis a = rows ? Axis{s.h, s.oh, s.stride_h, s.pad_h, s.kh, s.dil_h, s.w, s.ow}
                      : Axis{s.w, s.ow, s.stride_w, s.pad_w, s.kw, s.dil_w, 1, 1};
  const int64_t span = (tile - 1) * a.stride + (a.kernel - 1) * a.dil + 1;
  DirectSpec t = s;
  if (rows) {
    t.oh = tile;
    t.h = span;
    t.pad_h = t.pad_h_r = 0;
  } else {
    t.ow = tile;
    t.w = span;
    t.pad_w = t.pad_w_r = 0;
  }
  const auto prim = find_primitive(t);
  if (!prim->supported) return false;
  const int64_t plane_in = t.h * t.w, plane_out = t.oh * t.ow;
  float* tile_in = cpu::thread_scratch(cpu::Scratch::kConvTileIn, static_cast<size_t>(t.n * t.c_in * plane_in) * sizeof(float));
  float* tile_out = cpu::thread_scratch(cpu::Scratch::kConvTileOut, static_cast<size_t>(t.n * t.c_out * plane_out) * sizeof(float));
  BoundPrimitive bound(*prim, find_weights(*prim, weight_in, weight_f32), tile_in, tile_out, bias, s.has_bias != 0);
  dnnl::stream stream(cpu::onednn_engine());
  const float* px = x.data<float>();
  float* py = out.data<float>();
  const int64_t planes_in = s.n * s.c_in, planes_out = s.n * s.c_out;
  const int64_t full_in = s.h * s.w, full_out = s.oh * s.ow;
  for (int64_t o0 = 0; o0 < a.out; o0 += tile) {
    // Input positions [i0, i0 + span) along the axis (i0 < 0 and past the end: the zero padding).
    const int64_t i0 = o0 * a.stride - a.pad;
    const int64_t lo = std::clamp<int64_t>(-i0, 0, span), hi = std::clamp<int64_t>(a.in - i0, lo, span);
    // Planes per thread: at least ~64 K floats of copying each, or it stays on this thread.
    cpu::parallel_for(planes_in, std::max<int64_t>(1, (int64_t{1} << 16) / plane_in), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        float* d = tile_in + p * plane_in;
        std::fill(d, d + lo * a.unit_in, 0.0f);
        std::copy(px + p * full_in + (i0 + lo) * a.unit_in, px + p * full_in + (i0 + hi) * a.unit_in,
                  d + lo * a.unit_in);
        std::fill(d + hi * a.unit_in, d + plane_in, 0.0f);
        if (ep && ep->has_input_slope)
          for (int64_t i = lo * a.unit_in; i < hi * a.unit_in; ++i) d[i] = d[i] > 0.0f ? d[i] : d[i] * ep->input_slope;
      }
    });
    bound.run(stream);
    const int64_t valid = std::min(tile, a.out - o0) * a.unit_out;
    cpu::parallel_for(planes_out, std::max<int64_t>(1, (int64_t{1} << 16) / plane_out), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t at = p * full_out + o0 * a.unit_out;
        std::copy(tile_out + p * plane_out, tile_out + p * plane_out + valid, py + at);
        if (ep)
          cpu::apply_conv1d_epilogue(py + at, valid, 0.0f, ep->residual ? ep->residual + at : nullptr,
                                     ep->residual2 ? ep->residual2 + at : nullptr, *ep);
      }
    });
  }
  return true;
}

Tensor conv2d_impl(const char* op, const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                   const Conv2dOptions& o) {
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  cpu::require_float(op, "weight", weight_in);
  if (x_in.dim() != 4 || weight_in.dim() != 4) cpu::fail(op, "bad ranks: input " + x_in.to_string() + ", weight " + weight_in.to_string());
  if (o.groups < 1 || o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1 || o.padding_h < 0 ||
      o.padding_w < 0)
    cpu::fail(op, "stride, dilation and groups must be >= 1 and padding >= 0");
  Conv2dGeometry g{x_in.size(0), x_in.size(1), x_in.size(2), x_in.size(3), weight_in.size(0),
                   weight_in.size(2), weight_in.size(3), 0, 0, o.groups, o};
  if (g.c_in % g.groups != 0 || g.c_out % g.groups != 0 || weight_in.size(1) != g.c_in / g.groups)
    cpu::fail(op, "input " + x_in.to_string() + " does not match weight " + weight_in.to_string() + " with groups=" +
                      std::to_string(g.groups));
  if (bias_in.defined() && (bias_in.dim() != 1 || bias_in.size(0) != g.c_out))
    cpu::fail(op, "bias " + bias_in.to_string() + " does not match " + std::to_string(g.c_out) + " output channels");
  const int64_t eff_h = o.dilation_h * (g.kh - 1) + 1, eff_w = o.dilation_w * (g.kw - 1) + 1;
  g.oh = (g.h + 2 * o.padding_h - eff_h) / o.stride_h + 1;
  g.ow = (g.w + 2 * o.padding_w - eff_w) / o.stride_w + 1;
  if (g.h + 2 * o.padding_h < eff_h || g.w + 2 * o.padding_w < eff_w)
    cpu::fail(op, "input " + x_in.to_string() + " is smaller than the kernel " + weight_in.to_string());

  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  Tensor out = Tensor::empty({g.n, g.c_out, g.oh, g.ow});
  if (want_direct(g.kh * g.kw, g.oh * g.ow, g.groups)) {
    const DirectSpec s{g.n, g.c_in, g.h, g.w, g.c_out, g.kh, g.kw, g.oh, g.ow, o.stride_h, o.stride_w, o.padding_h,
                       o.padding_w, o.padding_h, o.padding_w, o.dilation_h, o.dilation_w, bias.defined() ? 1 : 0, 0};
    const int64_t tile = tile_length(s);
    if (tile > 0 ? run_direct_tiled(s, tile, x, weight_in, weight, bias, out)
                 : run_direct(s, x, weight_in, weight, bias, out))
      return out;
  }
  const int64_t cin_g = g.c_in / g.groups, cout_g = g.c_out / g.groups;
  const int64_t kdim = cin_g * g.kh * g.kw;
  const int64_t out_plane = g.oh * g.ow;
  const bool pointwise = g.kh == 1 && g.kw == 1 && o.stride_h == 1 && o.stride_w == 1 && o.padding_h == 0 &&
                         o.padding_w == 0;
  const int64_t rows_per_band =
      pointwise ? g.oh : std::clamp<int64_t>(kColumnBudget / 4 / std::max<int64_t>(1, kdim * g.ow), 1, g.oh);
  std::vector<float> col(pointwise ? 0 : static_cast<size_t>(kdim * rows_per_band * g.ow));
  const float* px = x.data<float>();
  const float* pw = weight.data<float>();
  float* py = out.data<float>();
  for (int64_t img = 0; img < g.n; ++img) {
    const float* image = px + img * g.c_in * g.h * g.w;
    float* result = py + img * g.c_out * out_plane;
    if (bias.defined()) {
      const float* b = bias.data<float>();
      for (int64_t c = 0; c < g.c_out; ++c) std::fill(result + c * out_plane, result + (c + 1) * out_plane, b[c]);
    }
    const float beta = bias.defined() ? 1.0f : 0.0f;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* w_g = pw + grp * cout_g * kdim;
      float* y_g = result + grp * cout_g * out_plane;
      if (pointwise) {
        cpu::sgemm(false, false, cout_g, out_plane, kdim, 1.0f, w_g, kdim, image + grp * cin_g * g.h * g.w,
                   out_plane, beta, y_g, out_plane);
        continue;
      }
      for (int64_t row0 = 0; row0 < g.oh; row0 += rows_per_band) {
        const int64_t rows = std::min(rows_per_band, g.oh - row0);
        im2col(image, g, grp * cin_g, cin_g, row0, rows, col.data());
        cpu::sgemm(false, false, cout_g, rows * g.ow, kdim, 1.0f, w_g, kdim, col.data(), rows * g.ow, beta,
                   y_g + row0 * g.ow, out_plane);
      }
    }
  }
  return out;
}

}  // namespace


ConvAlgorithm conv_algorithm() { return algorithm_slot().load(std::memory_order_relaxed); }
void set_conv_algorithm(ConvAlgorithm algorithm) { algorithm_slot().store(algorithm, std::memory_order_relaxed); }

void clear_conv_cache() {
  DirectCache& cache = direct_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  cache.primitives.clear();
  cache.weights.clear();
  clear_winograd1d_cache();
}

int64_t conv_cached_weights() {
  DirectCache& cache = direct_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  int64_t n = 0;
  for (const auto& [key, entries] : cache.weights)
    for (const auto& e : entries) n += e->storage.expired() ? 0 : 1;
  return n;
}

Tensor direct_conv1d_tiled_if_wanted(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                                     const Conv1dOptions& o, const Conv1dEpilogue& ep) {
  if (x_in.dim() != 3 || weight_in.dim() != 3 || !x_in.device().is_cpu() || !weight_in.device().is_cpu() ||
      !is_floating(x_in.dtype()) || !is_floating(weight_in.dtype()) || o.groups != 1 || o.stride < 1 ||
      o.dilation < 1 || o.padding < 0)
    return {};
  const int64_t n = x_in.size(0), c_in = x_in.size(1), len = x_in.size(2), c_out = weight_in.size(0);
  const int64_t k = weight_in.size(2), eff = o.dilation * (k - 1) + 1;
  if (weight_in.size(1) != c_in || len + 2 * o.padding < eff) return {};
  if (bias_in.defined() && (!bias_in.device().is_cpu() || !is_floating(bias_in.dtype()) || bias_in.dim() != 1 ||
                            bias_in.size(0) != c_out))
    return {};
  const int64_t out_len = (len + 2 * o.padding - eff) / o.stride + 1;
  // The same spec conv1d builds (a height-1 conv2d), so both share the cached primitive.
  const DirectSpec s{n, c_in, 1, len, c_out, 1, k, 1, out_len, 1, o.stride, 0, o.padding, 0, o.padding, 1,
                     o.dilation, bias_in.defined() ? 1 : 0, 0};
  const int64_t tile = tile_length(s);
  if (!want_direct(k, out_len, 1) || tile == 0) return {};
  const Tensor x = as_f32(x_in), weight = as_f32(weight_in), bias = as_f32(bias_in);
  Tensor out = Tensor::empty({n, c_out, out_len});
  if (!run_direct_tiled(s, tile, x, weight_in.unsqueeze(2), weight.unsqueeze(2), bias, out, &ep)) return {};
  return out;
}

int64_t conv_cached_primitives() {
  DirectCache& cache = direct_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return static_cast<int64_t>(cache.primitives.size());
}


Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  return conv2d_impl("conv2d", x, weight, bias, options);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options) {
  if (x.dim() != 3 || weight.dim() != 3)
    cpu::fail("conv1d", "expected input [N, C, L] and weight [C_out, C_in/groups, K], got " + x.to_string() + " and " +
                            weight.to_string());
  const Tensor winograd = cpu::winograd_conv1d_if_wanted(x, weight, bias, options.stride, options.padding,
                                                         options.dilation, options.groups, {});
  if (winograd.defined()) return winograd;
  Conv2dOptions o;
  o.stride_w = options.stride;
  o.padding_w = options.padding;
  o.dilation_w = options.dilation;
  o.groups = options.groups;
  const Tensor y = conv2d_impl("conv1d", x.unsqueeze(2), weight.unsqueeze(2), bias, o);
  return y.squeeze(2);
}

Tensor conv_transpose1d(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                        const ConvTranspose1dOptions& o) {
  const char* op = "conv_transpose1d";
  cpu::require_cpu(op, {&x_in, &weight_in, &bias_in});
  cpu::require_float(op, "input", x_in);
  cpu::require_float(op, "weight", weight_in);
  if (x_in.dim() != 3 || weight_in.dim() != 3)
    cpu::fail(op, "expected input [N, C_in, L] and weight [C_in, C_out/groups, K], got " + x_in.to_string() + " and " +
                      weight_in.to_string());
  if (o.groups < 1 || o.stride < 1 || o.dilation < 1 || o.padding < 0 || o.output_padding < 0 ||
      (o.output_padding >= o.stride && o.output_padding >= o.dilation))
    cpu::fail(op, "bad stride/padding/output_padding/dilation/groups");
  const int64_t n = x_in.size(0), c_in = x_in.size(1), len = x_in.size(2);
  const int64_t k = weight_in.size(2), groups = o.groups;
  if (weight_in.size(0) != c_in || c_in % groups != 0)
    cpu::fail(op, "input " + x_in.to_string() + " does not match weight " + weight_in.to_string());
  const int64_t cout_g = weight_in.size(1), c_out = cout_g * groups, cin_g = c_in / groups;
  if (bias_in.defined() && (bias_in.dim() != 1 || bias_in.size(0) != c_out))
    cpu::fail(op, "bias " + bias_in.to_string() + " does not match " + std::to_string(c_out) + " output channels");
  const int64_t out_len = (len - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + o.output_padding + 1;
  if (out_len <= 0) cpu::fail(op, "output length would be " + std::to_string(out_len));

  const Tensor x = cpu::as_f32(x_in), weight = cpu::as_f32(weight_in), bias = cpu::as_f32(bias_in);
  Tensor out = Tensor::empty({n, c_out, out_len});
  if (want_direct(k, out_len, groups) && o.padding >= o.output_padding) {
    const DirectSpec s{n, c_in, 1, len, c_out, 1, k, 1, out_len, 1, o.stride, 0, o.padding, 0,
                       o.padding - o.output_padding, 1, o.dilation, bias.defined() ? 1 : 0, 1};
    if (run_direct(s, x, weight_in.unsqueeze(2), weight.unsqueeze(2), bias, out)) return out;
  }
  const float* px = x.data<float>();
  const float* pw = weight.data<float>();
  float* py = out.data<float>();
  // col[(co, kk), l] = sum_ci W[ci, co, kk] * x[ci, l]  (per group), then scatter-add.
  const int64_t rows = cout_g * k;
  const int64_t band = std::clamp<int64_t>(kColumnBudget / 4 / std::max<int64_t>(1, rows), 1, len);
  std::vector<float> col(static_cast<size_t>(rows * band));
  for (int64_t img = 0; img < n; ++img) {
    float* result = py + img * c_out * out_len;
    if (bias.defined()) {
      const float* b = bias.data<float>();
      for (int64_t c = 0; c < c_out; ++c) std::fill(result + c * out_len, result + (c + 1) * out_len, b[c]);
    } else {
      std::fill(result, result + c_out * out_len, 0.0f);
    }
    for (int64_t grp = 0; grp < groups; ++grp) {
      const float* x_g = px + (img * c_in + grp * cin_g) * len;
      const float* w_g = pw + grp * cin_g * rows;
      float* y_g = result + grp * cout_g * out_len;
      for (int64_t l0 = 0; l0 < len; l0 += band) {
        const int64_t cols = std::min(band, len - l0);
        cpu::sgemm(true, false, rows, cols, cin_g, 1.0f, w_g, rows, x_g + l0, len, 0.0f, col.data(), cols);
        // Each output channel is written by one thread only.
        cpu::parallel_for(cout_g, 4, [&](int64_t begin, int64_t end) {
          for (int64_t co = begin; co < end; ++co) {
            float* y = y_g + co * out_len;
            for (int64_t kk = 0; kk < k; ++kk) {
              const float* c = col.data() + (co * k + kk) * cols;
              const int64_t shift = kk * o.dilation - o.padding;
              for (int64_t l = 0; l < cols; ++l) {
                const int64_t t = (l0 + l) * o.stride + shift;
                if (t >= 0 && t < out_len) y[t] += c[l];
              }
            }
          }
        });
      }
    }
  }
  return out;
}

}  // namespace foley::tensor::cpu
