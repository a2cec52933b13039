#pragma once

// oneDNN's direct convolution / deconvolution, which conv.cc picks per shape
// (conv.h says when): one primitive per shape, built on first use and kept in
// a bounded cache, weights reordered into its layout once per weight tensor
// (conv_direct_cache.cc); a primitive run on our nchw tensors, whole or in
// tiles along the time axis (conv_direct.cc).

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstring>
#include <memory>

#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

// Everything that determines one oneDNN primitive (nchw in/out, oihw or iohw weights, groups = 1).
struct DirectSpec {
  int64_t n, c_in, h, w, c_out, kh, kw, oh, ow, stride_h, stride_w, pad_h, pad_w, pad_h_r, pad_w_r, dil_h, dil_w;
  int64_t has_bias, transposed;
  bool operator==(const DirectSpec& o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }
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

// The cached primitive for `s`, built on first use (supported == false when
// the library has none for the shape).
std::shared_ptr<DirectPrimitive> find_primitive(const DirectSpec& s);

// The weights of `weight_in` (the caller's tensor, maybe f16; `weight_f32` its
// f32 values) in `prim`'s layout, reordered on first use and cached while
// weight_in's storage lives.
dnnl::memory find_weights(const DirectPrimitive& prim, const Tensor& weight_in, const Tensor& weight_f32);

// Whether the algorithm in effect (conv.h) sends a convolution to oneDNN
// (conv.cc).
bool want_direct(int64_t kernel_area, int64_t out_plane, int64_t groups);

// Outputs along the tiled axis per tile (W for 1-D, rows for 2-D), or 0 when
// `s` runs untiled.
int64_t tile_length(const DirectSpec& s);

// Runs `s` through oneDNN into `out` (nchw). Returns false when the library
// has no primitive for the shape.
bool run_direct(const DirectSpec& s, const Tensor& x, const Tensor& weight_in, const Tensor& weight_f32,
                const Tensor& bias, Tensor& out);

// run_direct in tiles of `tile` outputs along the time axis (tile_length).
// With `ep` (conv1d_fused, 1-D only), the input activation is applied while
// gathering a tile and the rest of the epilogue (its bias aside: the
// primitive adds it) while copying the tile out, in the order of the unfused
// composition.
bool run_direct_tiled(const DirectSpec& s, int64_t tile, const Tensor& x, const Tensor& weight_in,
                      const Tensor& weight_f32, const Tensor& bias, Tensor& out,
                      const Conv1dEpilogue* ep = nullptr);

}  // namespace foley::tensor::cpu
