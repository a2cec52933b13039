// 2-D Winograd convolution F(4x4, 3x3), and F(4x2, 3x3) for planes 2 wide (conv_winograd2d.h).
#include "tensor/cpu/conv_winograd2d.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/isa.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/cpu/transformed_weight_cache.h"

namespace foley::tensor::cpu {
namespace {

constexpr int kTile = 4;    // outputs per tile side (m); along the rows always
constexpr int kTaps = 3;    // kernel side (r)
constexpr int kAlpha = 6;   // transform points per side: m + r - 1
// F(2, 3) along the columns of planes 2 wide (F(4x4) would compute 4 columns for 2): 4 points 0, 1, -1, inf.
constexpr int kNarrowTile = 2;
constexpr int kNarrowAlpha = 4;

// Correlation y = AT [(G g GT) .* (BT d B)] A, points 0, 1, -1, 2, -2, inf (Lavin and Gray):
//   BT = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
//   AT = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]: input_rows and output_rows below.
constexpr double kG[kAlpha][kTaps] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};
constexpr double kG2[kNarrowAlpha][kTaps] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
// Tiles per band (the GEMMs' N), and the most bytes either transformed buffer (36 x C x tiles) may take.
constexpr int64_t kBandTiles = 256;
constexpr int64_t kBandBytes = int64_t{24} << 20;

// The transforms along one axis (conv_winograd2d_simd.h has their vector twins): BT, 6 -> 6 ...
void input_rows_scalar(const float* const* in, float* const* out, int64_t n) {
  for (int64_t a = 0; a < n; ++a) {
    const float d0 = in[0][a], d1 = in[1][a], d2 = in[2][a], d3 = in[3][a], d4 = in[4][a], d5 = in[5][a];
    out[0][a] = 4.0f * d0 + (d4 - 5.0f * d2);
    out[1][a] = (d3 + d4) - 4.0f * (d1 + d2);
    out[2][a] = 4.0f * (d1 - d2) + (d4 - d3);
    out[3][a] = 2.0f * (d3 - d1) + (d4 - d2);
    out[4][a] = (d4 - d2) - 2.0f * (d3 - d1);
    out[5][a] = 4.0f * d1 + (d5 - 5.0f * d3);
  }
}

// ... and AT, 6 -> 4.
void output_rows_scalar(const float* const* in, float* const* out, int64_t n) {
  for (int64_t a = 0; a < n; ++a) {
    const float s12 = in[1][a] + in[2][a], d12 = in[1][a] - in[2][a];
    const float s34 = in[3][a] + in[4][a], d34 = in[3][a] - in[4][a];
    out[0][a] = (in[0][a] + s12) + s34;
    out[1][a] = 2.0f * d34 + d12;
    out[2][a] = 4.0f * s34 + s12;
    out[3][a] = (8.0f * d34 + d12) + in[5][a];
  }
}

// F(2, 3)'s BT, 4 -> 4, and AT, 4 -> 2, along the columns of narrow tiles (plain loops the compiler vectorises).
void input_cols_narrow(const float* const* in, float* const* out, int64_t n) {
  for (int64_t a = 0; a < n; ++a) {
    const float d0 = in[0][a], d1 = in[1][a], d2 = in[2][a], d3 = in[3][a];
    out[0][a] = d0 - d2;
    out[1][a] = d1 + d2;
    out[2][a] = d2 - d1;
    out[3][a] = d1 - d3;
  }
}

void output_cols_narrow(const float* const* in, float* const* out, int64_t n) {
  for (int64_t a = 0; a < n; ++a) {
    out[0][a] = (in[0][a] + in[1][a]) + in[2][a];
    out[1][a] = (in[1][a] - in[2][a]) - in[3][a];
  }
}

void input_rows(const SimdKernels* simd, const float* const* in, float* const* out, int64_t n) {
  simd ? simd->winograd2d_input_rows(in, out, n) : input_rows_scalar(in, out, n);
}

void output_rows(const SimdKernels* simd, const float* const* in, float* const* out, int64_t n) {
  simd ? simd->winograd2d_output_rows(in, out, n) : output_rows_scalar(in, out, n);
}

// U[xi][co][ci] = (G g Gc^T)[i][j], xi = alpha_w i + j, computed in double; Gc is G (alpha_w 6) or F(2, 3)'s
// (alpha_w 4, narrow tiles).
struct TransformedWeights {
  std::vector<float> u;
};

TransformedWeights transform_weights(const Tensor& weight, int alpha_w) {
  const int64_t c_out = weight.size(0), c_in = weight.size(1);
  const double(*gc)[kTaps] = alpha_w == kAlpha ? kG : kG2;
  TransformedWeights t;
  t.u.resize(static_cast<size_t>(kAlpha * alpha_w * c_out * c_in));
  const float* w = weight.data<float>();
  float* u = t.u.data();
  parallel_for(c_out, 8, [&](int64_t begin, int64_t end) {
    for (int64_t co = begin; co < end; ++co)
      for (int64_t ci = 0; ci < c_in; ++ci) {
        const float* g = w + (co * c_in + ci) * kTaps * kTaps;
        double gg[kAlpha][kTaps];  // G g
        for (int i = 0; i < kAlpha; ++i)
          for (int b = 0; b < kTaps; ++b) {
            double acc = 0;
            for (int a = 0; a < kTaps; ++a) acc += kG[i][a] * g[a * kTaps + b];
            gg[i][b] = acc;
          }
        for (int i = 0; i < kAlpha; ++i)
          for (int j = 0; j < alpha_w; ++j) {
            double acc = 0;
            for (int b = 0; b < kTaps; ++b) acc += gg[i][b] * gc[j][b];
            u[((i * alpha_w + j) * c_out + co) * c_in + ci] = static_cast<float>(acc);
          }
      }
  });
  return t;
}

// One cache per tile width: a weight may meet planes of both.
TransformedWeightCache<TransformedWeights>& weight_cache(int alpha_w) {
  static auto* wide = new TransformedWeightCache<TransformedWeights>;
  static auto* narrow = new TransformedWeightCache<TransformedWeights>;
  return alpha_w == kAlpha ? *wide : *narrow;
}

std::atomic<int64_t>& min_channels_slot() {
  static std::atomic<int64_t> slot{kWinograd2dMinChannels};
  return slot;
}

// The geometry of one call: tiles of every image side by side, tile row g = image * tiles_h + ty. Tiles are
// 4 x tile_w outputs read from 6 x alpha_w inputs: tile_w 4 (alpha_w 6), or 2 (alpha_w 4) on planes 2 wide.
struct Geometry {
  int64_t n, c_in, h, w, c_out, oh, ow, pad_h, pad_w, tiles_h, tiles_w;
  int tile_w, alpha_w;
  int points() const { return kAlpha * alpha_w; }
  // Input columns the tiles of one row read, from -pad_w.
  int64_t span_w() const { return tiles_w * tile_w + alpha_w - tile_w; }
};

// P[e1][e2][t] = x[4 ty - pad_h + e1][tile_w tx - pad_w + e2] (zero outside the plane) for the tiles t of tile
// rows [g0, g0 + band) of one channel; then V[alpha_w i + j][c][t] = sum BT[i][e1] BTc[j][e2] P[e1][e2][t].
// `row` holds span_w() floats: one input row with its padding, so the gather needs no bounds per element (the
// UNet's deep planes are 1 to 4 tiles wide).
void input_transform(const SimdKernels* simd, const Geometry& g, const float* px, int64_t c, int64_t g0,
                     int64_t band, float* row, float* p, float* z, float* v) {
  const int64_t tb = band * g.tiles_w, span = g.span_w(), tw = g.tile_w;
  // Columns [-pad_w, span - pad_w) of the input: those in [0, w) copied, the rest zero.
  const int64_t copied = std::clamp<int64_t>(span - g.pad_w, 0, g.w);
  std::fill(row, row + g.pad_w, 0.0f);
  std::fill(row + g.pad_w + copied, row + span, 0.0f);
  for (int64_t gl = 0; gl < band; ++gl) {
    const int64_t img = (g0 + gl) / g.tiles_h, ty = (g0 + gl) % g.tiles_h;
    const float* plane = px + (img * g.c_in + c) * g.h * g.w;
    for (int e1 = 0; e1 < kAlpha; ++e1) {
      const int64_t y = kTile * ty - g.pad_h + e1;
      float* dst = p + e1 * g.alpha_w * tb + gl * g.tiles_w;
      if (y < 0 || y >= g.h) {
        for (int e2 = 0; e2 < g.alpha_w; ++e2) std::fill(dst + e2 * tb, dst + e2 * tb + g.tiles_w, 0.0f);
        continue;
      }
      std::copy(plane + y * g.w, plane + y * g.w + copied, row + g.pad_w);
      for (int e2 = 0; e2 < g.alpha_w; ++e2)
        for (int64_t tx = 0; tx < g.tiles_w; ++tx) dst[e2 * tb + tx] = row[tw * tx + e2];
    }
  }
  // Along the rows (e1 -> i) for each e2, then along the columns (e2 -> j) for each i.
  const int aw = g.alpha_w;
  for (int e2 = 0; e2 < aw; ++e2) {
    const float* in[kAlpha];
    float* out[kAlpha];
    for (int e = 0; e < kAlpha; ++e) {
      in[e] = p + (e * aw + e2) * tb;
      out[e] = z + (e * aw + e2) * tb;
    }
    input_rows(simd, in, out, tb);
  }
  for (int i = 0; i < kAlpha; ++i) {
    const float* in[kAlpha];
    float* out[kAlpha];
    for (int e = 0; e < aw; ++e) {
      in[e] = z + (i * aw + e) * tb;
      out[e] = v + ((i * aw + e) * g.c_in + c) * tb;
    }
    aw == kAlpha ? input_rows(simd, in, out, tb) : input_cols_narrow(in, out, tb);
  }
}

// Y[r][c][t] = sum AT[r][i] ATc[c][j] M[alpha_w i + j][co][t], plus the bias, written to the valid outputs of
// output channel co for the tile rows [g0, g0 + band).
void output_transform(const SimdKernels* simd, const Geometry& g, const float* m, int64_t co, float bias,
                      int64_t g0, int64_t band, float* s, float* yv, float* py) {
  const int64_t tb = band * g.tiles_w;
  const int aw = g.alpha_w, tw = g.tile_w;
  for (int i = 0; i < kAlpha; ++i) {
    const float* in[kAlpha];
    float* out[kTile];
    for (int j = 0; j < aw; ++j) in[j] = m + ((i * aw + j) * g.c_out + co) * tb;
    for (int c = 0; c < tw; ++c) out[c] = s + (i * tw + c) * tb;
    aw == kAlpha ? output_rows(simd, in, out, tb) : output_cols_narrow(in, out, tb);
  }
  for (int c = 0; c < tw; ++c) {
    const float* in[kAlpha];
    float* out[kTile];
    for (int i = 0; i < kAlpha; ++i) in[i] = s + (i * tw + c) * tb;
    for (int r = 0; r < kTile; ++r) out[r] = yv + (r * tw + c) * tb;
    output_rows(simd, in, out, tb);
  }
  for (int64_t gl = 0; gl < band; ++gl) {
    const int64_t img = (g0 + gl) / g.tiles_h, ty = (g0 + gl) % g.tiles_h;
    for (int r = 0; r < kTile && kTile * ty + r < g.oh; ++r) {
      float* dst = py + ((img * g.c_out + co) * g.oh + kTile * ty + r) * g.ow;
      for (int c = 0; c < tw; ++c) {
        const float* src = yv + (r * tw + c) * tb + gl * g.tiles_w;
        for (int64_t tx = 0, ox = c; tx < g.tiles_w && ox < g.ow; ++tx, ox += tw) dst[ox] = src[tx] + bias;
      }
    }
  }
}

}  // namespace

int64_t winograd2d_min_channels() { return min_channels_slot().load(std::memory_order_relaxed); }
void set_winograd2d_min_channels(int64_t channels) { min_channels_slot().store(channels, std::memory_order_relaxed); }

std::atomic<int64_t>& min_tiles_slot() {
  static std::atomic<int64_t> slot{kWinograd2dMinTiles};
  return slot;
}
int64_t winograd2d_min_tiles() { return min_tiles_slot().load(std::memory_order_relaxed); }
void set_winograd2d_min_tiles(int64_t tiles) { min_tiles_slot().store(tiles, std::memory_order_relaxed); }

bool winograd2d_wanted(int64_t c_in, int64_t c_out, int64_t kh, int64_t kw, int64_t stride_h, int64_t stride_w,
                       int64_t dil_h, int64_t dil_w, int64_t groups, int64_t n, int64_t oh, int64_t ow) {
  if (conv_algorithm() != ConvAlgorithm::kAuto || !conv_winograd_enabled()) return false;
  const int64_t tile_w = ow == kNarrowTile ? kNarrowTile : kTile;
  const int64_t image_tiles = ((oh + kTile - 1) / kTile) * ((ow + tile_w - 1) / tile_w), tiles = n * image_tiles;
  if (cpu_isa() == Isa::kAvx512 && image_tiles > kWinograd2dMaxImageTilesAvx512) return false;
  return kh == kTaps && kw == kTaps && stride_h == 1 && stride_w == 1 && dil_h == 1 && dil_w == 1 && groups == 1 &&
         c_in >= winograd2d_min_channels() && c_out >= winograd2d_min_channels() && oh >= kTile &&
         ow >= tile_w && tiles >= winograd2d_min_tiles();
}

void winograd_conv2d(const Tensor& x, const Tensor& weight_in, const Tensor& weight, const Tensor& bias,
                     int64_t pad_h, int64_t pad_w, Tensor& out) {
  Geometry g{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), 0, 0, pad_h, pad_w, 0, 0, kTile, kAlpha};
  g.oh = g.h + 2 * pad_h - (kTaps - 1);
  g.ow = g.w + 2 * pad_w - (kTaps - 1);
  if (g.ow == kNarrowTile) {
    g.tile_w = kNarrowTile;
    g.alpha_w = kNarrowAlpha;
  }
  g.tiles_h = (g.oh + kTile - 1) / kTile;
  g.tiles_w = (g.ow + g.tile_w - 1) / g.tile_w;
  const int points = g.points();
  const auto u = weight_cache(g.alpha_w).find(weight_in, weight, [&](const Tensor& w) { return transform_weights(w, g.alpha_w); });
  const int64_t tile_rows = g.n * g.tiles_h;
  const int64_t max_tiles = std::max<int64_t>(
      g.tiles_w, std::min(kBandTiles, kBandBytes / (points * std::max(g.c_in, g.c_out) * int64_t{sizeof(float)})));
  const int64_t band_rows = std::clamp<int64_t>(max_tiles / g.tiles_w, 1, tile_rows);
  const int64_t max_tb = band_rows * g.tiles_w;
  float* v = thread_scratch(Scratch::kWinogradV, static_cast<size_t>(points * g.c_in * max_tb) * sizeof(float));
  float* m = thread_scratch(Scratch::kWinogradM, static_cast<size_t>(points * g.c_out * max_tb) * sizeof(float));
  const SimdKernels* simd = simd_kernels();
  const float* px = x.data<float>();
  const float* pb = bias.defined() ? bias.data<float>() : nullptr;
  float* py = out.data<float>();
  for (int64_t g0 = 0; g0 < tile_rows; g0 += band_rows) {
    const int64_t band = std::min(band_rows, tile_rows - g0), tb = band * g.tiles_w;
    parallel_for(g.c_in, 1, [&](int64_t begin, int64_t end) {
      thread_local std::vector<float> buf;
      buf.resize(static_cast<size_t>(2 * points * tb + g.span_w()));
      float* row = buf.data() + 2 * points * tb;
      for (int64_t c = begin; c < end; ++c)
        input_transform(simd, g, px, c, g0, band, row, buf.data(), buf.data() + points * tb, v);
    });
    parallel_for(points, 1, [&](int64_t begin, int64_t end) {
      for (int64_t xi = begin; xi < end; ++xi)
        sgemm(false, false, g.c_out, tb, g.c_in, 1.0f, u->u.data() + xi * g.c_out * g.c_in, g.c_in,
              v + xi * g.c_in * tb, tb, 0.0f, m + xi * g.c_out * tb, tb);
    });
    parallel_for(g.c_out, 1, [&](int64_t begin, int64_t end) {
      thread_local std::vector<float> buf;
      buf.resize(static_cast<size_t>((kAlpha + kTile) * g.tile_w * tb));
      for (int64_t co = begin; co < end; ++co)
        output_transform(simd, g, m, co, pb ? pb[co] : 0.0f, g0, band, buf.data(), buf.data() + kAlpha * g.tile_w * tb,
                         py);
    });
  }
}

int64_t winograd2d_cached_weights() { return weight_cache(kAlpha).size() + weight_cache(kNarrowAlpha).size(); }
void clear_winograd2d_cache() {
  weight_cache(kAlpha).clear();
  weight_cache(kNarrowAlpha).clear();
}

}  // namespace foley::tensor::cpu
