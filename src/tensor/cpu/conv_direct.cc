// Running oneDNN's direct convolution on our nchw tensors (conv_direct.h):
// whole, or in tiles along the time axis for long convolutions.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <unordered_map>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv_direct.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/onednn_engine.h"
#include "tensor/cpu/parallel.h"

namespace foley::tensor::cpu {
namespace {

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

}  // namespace

int64_t tile_length(const DirectSpec& s) {
  if (s.transposed) return 0;
  if (s.h == 1 && s.oh == 1) return s.ow > kConv1dTile ? kConv1dTile : 0;
  const int64_t rows = ((kConv2dTileOutputs + s.ow - 1) / s.ow + 3) / 4 * 4;
  if (s.c_in * s.c_out * s.kh * s.kw * rows * s.ow < kConv2dTileMinWork) return 0;
  return s.oh > 2 * rows ? rows : 0;
}

namespace {

// One axis of a DirectSpec: the tiled one.
struct Axis {
  int64_t in, out, stride, pad, kernel, dil;
  int64_t unit_in, unit_out;  // elements of one position along it in an input / output plane
};

}  // namespace

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

bool run_direct_tiled(const DirectSpec& s, int64_t tile, const Tensor& x, const Tensor& weight_in,
                      const Tensor& weight_f32, const Tensor& bias, Tensor& out,
                      const Conv1dEpilogue* ep) {
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

}  // namespace foley::tensor::cpu
