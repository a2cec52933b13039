// 2-D Winograd convolution F(4x4, 3x3) (conv_winograd2d.h).
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

constexpr int kTile = 4;    // outputs per tile side (m)
constexpr int kTaps = 3;    // kernel side (r)
constexpr int kAlpha = 6;   // transform points per side: m + r - 1
constexpr int kPoints = kAlpha * kAlpha;

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

void input_rows(const SimdKernels* simd, const float* const* in, float* const* out, int64_t n) {
  simd ? simd->winograd2d_input_rows(in, out, n) : input_rows_scalar(in, out, n);
}

void output_rows(const SimdKernels* simd, const float* const* in, float* const* out, int64_t n) {
  simd ? simd->winograd2d_output_rows(in, out, n) : output_rows_scalar(in, out, n);
}

// U[xi][co][ci] = (G g GT)[i][j], xi = 6 i + j, computed in double.
struct TransformedWeights {
  std::vector<float> u;
};

TransformedWeights transform_weights(const Tensor& weight) {
  const int64_t c_out = weight.size(0), c_in = weight.size(1);
  TransformedWeights t;
  t.u.resize(static_cast<size_t>(kPoints * c_out * c_in));
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
          for (int j = 0; j < kAlpha; ++j) {
            double acc = 0;
            for (int b = 0; b < kTaps; ++b) acc += gg[i][b] * kG[j][b];
            u[((i * kAlpha + j) * c_out + co) * c_in + ci] = static_cast<float>(acc);
          }
      }
  });
  return t;
}

TransformedWeightCache<TransformedWeights>& weight_cache() {
  static auto* cache = new TransformedWeightCache<TransformedWeights>;
  return *cache;
}

std::atomic<int64_t>& min_channels_slot() {
  static std::atomic<int64_t> slot{kWinograd2dMinChannels};
  return slot;
}

// The geometry of one call: tiles of every image side by side, tile row g = image * tiles_h + ty.
struct Geometry {
  int64_t n, c_in, h, w, c_out, oh, ow, pad_h, pad_w, tiles_h, tiles_w;
};

// P[e1][e2][t] = x[4 ty - pad_h + e1][4 tx - pad_w + e2] (zero outside the plane) for the tiles t of tile rows
// [g0, g0 + band) of one channel; then V[6 i + j][c][t] = sum BT[i][e1] BT[j][e2] P[e1][e2][t].
void input_transform(const SimdKernels* simd, const Geometry& g, const float* px, int64_t c, int64_t g0,
                     int64_t band, float* p, float* z, float* v) {
  const int64_t tb = band * g.tiles_w;
  for (int64_t gl = 0; gl < band; ++gl) {
    const int64_t img = (g0 + gl) / g.tiles_h, ty = (g0 + gl) % g.tiles_h;
    const float* plane = px + (img * g.c_in + c) * g.h * g.w;
    for (int e1 = 0; e1 < kAlpha; ++e1) {
      const int64_t y = kTile * ty - g.pad_h + e1;
      for (int e2 = 0; e2 < kAlpha; ++e2) {
        float* dst = p + (e1 * kAlpha + e2) * tb + gl * g.tiles_w;
        if (y < 0 || y >= g.h) {
          std::fill(dst, dst + g.tiles_w, 0.0f);
          continue;
        }
        // Tiles whose column 4 tx - pad_w + e2 lies in [0, w).
        const int64_t off = e2 - g.pad_w;
        const int64_t lo = std::clamp<int64_t>(off >= 0 ? 0 : (-off + kTile - 1) / kTile, 0, g.tiles_w);
        const int64_t hi = std::clamp<int64_t>(g.w - off <= 0 ? 0 : (g.w - off + kTile - 1) / kTile, lo, g.tiles_w);
        const float* row = plane + y * g.w;
        std::fill(dst, dst + lo, 0.0f);
        for (int64_t tx = lo; tx < hi; ++tx) dst[tx] = row[kTile * tx + off];
        std::fill(dst + hi, dst + g.tiles_w, 0.0f);
      }
    }
  }
  // Along the rows (e1 -> i) for each e2, then along the columns (e2 -> j) for each i.
  for (int e2 = 0; e2 < kAlpha; ++e2) {
    const float* in[kAlpha];
    float* out[kAlpha];
    for (int e = 0; e < kAlpha; ++e) {
      in[e] = p + (e * kAlpha + e2) * tb;
      out[e] = z + (e * kAlpha + e2) * tb;
    }
    input_rows(simd, in, out, tb);
  }
  for (int i = 0; i < kAlpha; ++i) {
    const float* in[kAlpha];
    float* out[kAlpha];
    for (int e = 0; e < kAlpha; ++e) {
      in[e] = z + (i * kAlpha + e) * tb;
      out[e] = v + ((i * kAlpha + e) * g.c_in + c) * tb;
    }
    input_rows(simd, in, out, tb);
  }
}

// Y[r][c][t] = sum AT[r][i] AT[c][j] M[6 i + j][co][t], plus the bias, written to the valid outputs of output
// channel co for the tile rows [g0, g0 + band).
void output_transform(const SimdKernels* simd, const Geometry& g, const float* m, int64_t co, float bias,
                      int64_t g0, int64_t band, float* s, float* yv, float* py) {
  const int64_t tb = band * g.tiles_w;
  for (int i = 0; i < kAlpha; ++i) {
    const float* in[kAlpha];
    float* out[kTile];
    for (int j = 0; j < kAlpha; ++j) in[j] = m + ((i * kAlpha + j) * g.c_out + co) * tb;
    for (int c = 0; c < kTile; ++c) out[c] = s + (i * kTile + c) * tb;
    output_rows(simd, in, out, tb);
  }
  for (int c = 0; c < kTile; ++c) {
    const float* in[kAlpha];
    float* out[kTile];
    for (int i = 0; i < kAlpha; ++i) in[i] = s + (i * kTile + c) * tb;
    for (int r = 0; r < kTile; ++r) out[r] = yv + (r * kTile + c) * tb;
    output_rows(simd, in, out, tb);
  }
  for (int64_t gl = 0; gl < band; ++gl) {
    const int64_t img = (g0 + gl) / g.tiles_h, ty = (g0 + gl) % g.tiles_h;
    for (int r = 0; r < kTile && kTile * ty + r < g.oh; ++r) {
      float* dst = py + ((img * g.c_out + co) * g.oh + kTile * ty + r) * g.ow;
      for (int c = 0; c < kTile; ++c) {
        const float* src = yv + (r * kTile + c) * tb + gl * g.tiles_w;
        for (int64_t tx = 0, ox = c; tx < g.tiles_w && ox < g.ow; ++tx, ox += kTile) dst[ox] = src[tx] + bias;
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
  const int64_t image_tiles = ((oh + kTile - 1) / kTile) * ((ow + kTile - 1) / kTile), tiles = n * image_tiles;
  if (cpu_isa() == Isa::kAvx512 && image_tiles > kWinograd2dMaxImageTilesAvx512) return false;
  return kh == kTaps && kw == kTaps && stride_h == 1 && stride_w == 1 && dil_h == 1 && dil_w == 1 && groups == 1 &&
         c_in >= winograd2d_min_channels() && c_out >= winograd2d_min_channels() && oh >= kTile && ow >= kTile &&
         tiles >= winograd2d_min_tiles();
}

void winograd_conv2d(const Tensor& x, const Tensor& weight_in, const Tensor& weight, const Tensor& bias,
                     int64_t pad_h, int64_t pad_w, Tensor& out) {
  Geometry g{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), 0, 0, pad_h, pad_w, 0, 0};
  g.oh = g.h + 2 * pad_h - (kTaps - 1);
  g.ow = g.w + 2 * pad_w - (kTaps - 1);
  g.tiles_h = (g.oh + kTile - 1) / kTile;
  g.tiles_w = (g.ow + kTile - 1) / kTile;
  const auto u = weight_cache().find(weight_in, weight, transform_weights);
  const int64_t tile_rows = g.n * g.tiles_h;
  const int64_t max_tiles = std::max<int64_t>(
      g.tiles_w, std::min(kBandTiles, kBandBytes / (kPoints * std::max(g.c_in, g.c_out) * int64_t{sizeof(float)})));
  const int64_t band_rows = std::clamp<int64_t>(max_tiles / g.tiles_w, 1, tile_rows);
  const int64_t max_tb = band_rows * g.tiles_w;
  float* v = thread_scratch(Scratch::kWinogradV, static_cast<size_t>(kPoints * g.c_in * max_tb) * sizeof(float));
  float* m = thread_scratch(Scratch::kWinogradM, static_cast<size_t>(kPoints * g.c_out * max_tb) * sizeof(float));
  const SimdKernels* simd = simd_kernels();
  const float* px = x.data<float>();
  const float* pb = bias.defined() ? bias.data<float>() : nullptr;
  float* py = out.data<float>();
  for (int64_t g0 = 0; g0 < tile_rows; g0 += band_rows) {
    const int64_t band = std::min(band_rows, tile_rows - g0), tb = band * g.tiles_w;
    parallel_for(g.c_in, 1, [&](int64_t begin, int64_t end) {
      thread_local std::vector<float> buf;
      buf.resize(static_cast<size_t>(2 * kPoints * tb));
      for (int64_t c = begin; c < end; ++c) input_transform(simd, g, px, c, g0, band, buf.data(), buf.data() + kPoints * tb, v);
    });
    parallel_for(kPoints, 1, [&](int64_t begin, int64_t end) {
      for (int64_t xi = begin; xi < end; ++xi)
        sgemm(false, false, g.c_out, tb, g.c_in, 1.0f, u->u.data() + xi * g.c_out * g.c_in, g.c_in,
              v + xi * g.c_in * tb, tb, 0.0f, m + xi * g.c_out * tb, tb);
    });
    parallel_for(g.c_out, 1, [&](int64_t begin, int64_t end) {
      thread_local std::vector<float> buf;
      buf.resize(static_cast<size_t>((kAlpha * kTile + kTile * kTile) * tb));
      for (int64_t co = begin; co < end; ++co)
        output_transform(simd, g, m, co, pb ? pb[co] : 0.0f, g0, band, buf.data(), buf.data() + kAlpha * kTile * tb,
                         py);
    });
  }
}

int64_t winograd2d_cached_weights() { return weight_cache().size(); }
void clear_winograd2d_cache() { weight_cache().clear(); }

}  // namespace foley::tensor::cpu
