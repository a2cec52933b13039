// 1-D Winograd convolution, F(6, 3) over 3-tap kernel chunks (conv_winograd1d.h says why and how).
#include "tensor/cpu/conv_winograd1d.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/conv_winograd1d_matrices.h"
#include "tensor/cpu/simd_kernels.h"
#include "tensor/cpu/transformed_weight_cache.h"

namespace foley::tensor::cpu {
namespace {

using winograd1d::kAlpha;
using winograd1d::kTaps;
using winograd1d::kTile;
using winograd1d::Matrices;

// The Toom-Cook matrices (conv_winograd1d_matrices.h), built in double from the points 0, 1, -1, 2, -2, 1/2, -1/2
// and infinity (the smallest magnitudes there are: f32 error stays within a few times direct convolution's,
// conv_winograd1d.h): with V the Vandermonde matrix of the points (infinity picks the leading coefficient),
// BT = (V^-1)^T, G and AT^T evaluate a kernel and an output tile at the points.
const Matrices& matrices() {
  static const Matrices m = [] {
    const double points[kAlpha - 1] = {0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5};
    auto eval = [&](int row, int power, int degree) {  // row `row` of a Vandermonde of `degree` columns
      if (row == kAlpha - 1) return power == degree - 1 ? 1.0 : 0.0;
      return std::pow(points[row], power);
    };
    // Gauss-Jordan inverse of V (kAlpha x kAlpha), partial pivoting.
    double a[kAlpha][2 * kAlpha] = {};
    for (int i = 0; i < kAlpha; ++i) {
      for (int c = 0; c < kAlpha; ++c) a[i][c] = eval(i, c, kAlpha);
      a[i][kAlpha + i] = 1.0;
    }
    for (int c = 0; c < kAlpha; ++c) {
      int pivot = c;
      for (int r = c + 1; r < kAlpha; ++r)
        if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
      for (int x = 0; x < 2 * kAlpha; ++x) std::swap(a[c][x], a[pivot][x]);
      const double inv = 1.0 / a[c][c];
      for (int x = 0; x < 2 * kAlpha; ++x) a[c][x] *= inv;
      for (int r = 0; r < kAlpha; ++r) {
        if (r == c || a[r][c] == 0.0) continue;
        const double f = a[r][c];
        for (int x = 0; x < 2 * kAlpha; ++x) a[r][x] -= f * a[c][x];
      }
    }
    Matrices out{};
    for (int xi = 0; xi < kAlpha; ++xi) {
      for (int e = 0; e < kAlpha; ++e) out.bt[xi][e] = static_cast<float>(a[e][kAlpha + xi]);  // (V^-1)^T
      for (int s = 0; s < kTaps; ++s) out.g[xi][s] = static_cast<float>(eval(xi, s, kTaps));
      for (int t = 0; t < kTile; ++t) out.at[t][xi] = static_cast<float>(eval(xi, t, kTile));
    }
    return out;
  }();
  return m;
}

// --- transformed weights, cached per weight storage ------------------------------------------------------------

// U[xi][j][co][ci] = sum_s G[xi][s] W[co][ci][kTaps j + s] (taps past K are zero), cached per weight storage
// (transformed_weight_cache.h).
struct TransformedWeights {
  std::vector<float> u;
};

TransformedWeights transform_weights(const Tensor& weight) {
  const int64_t c_out = weight.size(0), c_in = weight.size(1), k = weight.size(2), chunks = (k + kTaps - 1) / kTaps;
  TransformedWeights t;
  const float* w = weight.data<float>();
  t.u.resize(static_cast<size_t>(kAlpha * chunks * c_out * c_in));
  const Matrices& mx = matrices();
  float* u = t.u.data();
  parallel_for(c_out, 16, [&](int64_t begin, int64_t end) {
    for (int64_t co = begin; co < end; ++co)
      for (int64_t ci = 0; ci < c_in; ++ci) {
        const float* taps = w + (co * c_in + ci) * k;
        for (int64_t j = 0; j < chunks; ++j) {
          float g[kTaps];
          for (int s = 0; s < kTaps; ++s) g[s] = kTaps * j + s < k ? taps[kTaps * j + s] : 0.0f;
          for (int xi = 0; xi < kAlpha; ++xi) {
            float acc = 0.0f;
            for (int s = 0; s < kTaps; ++s) acc += mx.g[xi][s] * g[s];
            u[((xi * chunks + j) * c_out + co) * c_in + ci] = acc;
          }
        }
      }
  });
  return t;
}

TransformedWeightCache<TransformedWeights>& weight_cache() {
  static auto* cache = new TransformedWeightCache<TransformedWeights>;
  return *cache;
}

// The transformed `weight` (f32) of the caller's tensor `weight_in` (maybe f16, the cache key).
std::shared_ptr<const TransformedWeights> find_weights(const Tensor& weight_in, const Tensor& weight) {
  return weight_cache().find(weight_in, weight, transform_weights);
}

std::atomic<int64_t>& min_channels_slot() {
  static std::atomic<int64_t> slot{kWinograd1dMinChannels};
  return slot;
}

}  // namespace

int64_t winograd1d_min_channels() { return min_channels_slot().load(std::memory_order_relaxed); }
void set_winograd1d_min_channels(int64_t channels) { min_channels_slot().store(channels, std::memory_order_relaxed); }

bool winograd1d_wanted(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t groups,
                       int64_t out_len) {
  if (conv_algorithm() != ConvAlgorithm::kAuto || !conv_winograd_enabled()) return false;
  const int64_t min_channels = winograd1d_min_channels();
  return stride == 1 && groups == 1 && kernel >= 2 && c_in >= min_channels && c_out >= min_channels &&
         out_len >= 64;
}

namespace {

// dst[i] = act(src[i * step]), i in [0, count): one residue class of a phase, with the input activation
// (leaky ReLU when has_slope).
void gather_scalar(const float* src, int64_t step, int64_t count, bool has_slope, float slope, float* dst) {
  for (int64_t i = 0; i < count; ++i) {
    const float val = src[i * step];
    dst[i] = has_slope && !(val > 0.0f) ? val * slope : val;
  }
}

// Input transform of one (channel, phase, parity) row: V[xi][a] = sum_e BT[xi][e] f[e][a], a in [0, row), where
// f[e] points at the row's term e of tile 0 (the phase's samples split by residue mod kTile, so every term is a
// contiguous load).
void input_transform_scalar(const float* const* f, const Matrices& mx, float* const* dst, int64_t row) {
  for (int xi = 0; xi < kAlpha; ++xi) {
    const float* b = mx.bt[xi];
    for (int64_t a = 0; a < row; ++a) {
      float acc = b[0] * f[0][a];
      for (int e = 1; e < kAlpha; ++e) acc += b[e] * f[e][a];
      dst[xi][a] = acc;
    }
  }
}

// Output transform of one (channel, phase) row: out[t][a] = sum_xi AT[t][xi] M[xi][a], a in [0, tiles).
void output_transform_scalar(const float* const* mrow, const Matrices& mx, float* const* out, int64_t tiles) {
  for (int64_t a = 0; a < tiles; ++a)
    for (int t = 0; t < kTile; ++t) {
      const float* at = mx.at[t];
      float acc = at[0] * mrow[0][a];
      for (int xi = 1; xi < kAlpha; ++xi) acc += at[xi] * mrow[xi][a];
      out[t][a] = acc;
    }
}

}  // namespace

namespace {

// y[kTile a + t] = o[t][a], a in [0, tiles), without passing y's end `len`: the phase of a dilation-1
// convolution (every output) put back in order.
void interleave_scalar(const float* const* o, int64_t tiles, float* y, int64_t len) {
  for (int64_t a = 0; a < tiles; ++a)
    for (int t = 0; t < kTile && kTile * a + t < len; ++t) y[kTile * a + t] = o[t][a];
}

// y = out_act((((y + bias) + r1) + r2) * scale), in the order of the unfused composition.
void epilogue_scalar(float* y, int64_t len, float bias, const float* r1, const float* r2, const Conv1dEpilogue& ep) {
  for (int64_t l = 0; l < len; ++l) {
    float acc = y[l] + bias;
    if (r1) acc += r1[l];
    if (r2) acc += r2[l];
    if (ep.has_scale) acc *= ep.scale;
    if (ep.has_output_slope && !(acc > 0.0f)) acc *= ep.output_slope;
    y[l] = acc;
  }
}

}  // namespace

void apply_conv1d_epilogue(float* y, int64_t len, float bias, const float* r1, const float* r2,
                           const Conv1dEpilogue& ep) {
  if (const SimdKernels* simd = simd_kernels())
    simd->conv1d_epilogue(y, len, bias, r1, r2, ep);
  else
    epilogue_scalar(y, len, bias, r1, r2, ep);
}

namespace {

// One convolution's sizes. Phase p holds the outputs p, p + d, p + 2d, ...; tile a of a phase holds its outputs
// kTile a .. kTile a + 5. Chunk j of output tile a reads the phase's inputs from kTile a + kTaps j: input tiles
// start every kTaps samples, split by parity (tile 2a' + parity starts at kTile a' + kTaps parity), so chunk j
// reads tile a + j / 2 of parity j % 2. The work is cut into blocks of output tiles [a0, a1), the same for every
// phase: a block covers the outputs [kTile d a0, kTile d a1), one contiguous range.
struct Plan {
  int64_t n, c_in, len, c_out, out_len, d, padding, chunks, tiles;
  int64_t block;  // output tiles per block (per phase)
  // Input-tile parities the chunks read (a single chunk reads parity 0 only).
  int64_t parities() const { return chunks > 1 ? 2 : 1; }
  int64_t blocks() const { return (tiles + block - 1) / block; }
  // Input tiles per phase and parity that a block of `b` output tiles reads.
  int64_t row(int64_t b) const { return b + (chunks - 1) / 2; }
  // V of a block: [xi][ci][(parity d + p) row + a'].
  int64_t ldv(int64_t b) const { return parities() * d * row(b); }
  // Columns of a block's GEMMs (those past a phase's tiles are computed and never read).
  int64_t cols(int64_t b) const { return d * row(b) - (chunks - 1) / 2; }
};

// Output tiles per block. Narrow convolutions (C_in x C_out <= kBlockedMaxMacs: HiFi-GAN's 32-channel stage,
// 163 872 samples) run in blocks of at least kMinBlockMacs multiply-adds per GEMM, 4 or more a thread, each
// block from input to output on one thread with its transformed input and products near the cache (the whole
// row's ran from memory: 10-20 % slower on a Zen 3); wider ones in one block per image whose loops and GEMMs
// are threaded (at 64 channels blocks were 0-10 % slower: each block's GEMMs pack the weights again).
int64_t block_tiles(int64_t c_in, int64_t c_out, int64_t d, int64_t tiles) {
  constexpr int64_t kBlockedMaxMacs = 32 * 32;
  constexpr int64_t kMinBlockMacs = int64_t{1} << 22;
  if (c_in * c_out > kBlockedMaxMacs) return tiles;
  const int64_t cols = std::clamp<int64_t>(kMinBlockMacs / (c_in * c_out), 64, 4096);
  const int64_t by_threads = (tiles + 4 * num_threads() - 1) / (4 * num_threads());
  return std::clamp<int64_t>(std::min((cols + d - 1) / d, by_threads), 1, tiles);
}

// dst[i] = act(x[first + step (a0 + i)]) for i in [0, count), zero where that index is outside [0, len).
void gather_residue(const SimdKernels* simd, const float* xs, int64_t len, int64_t first, int64_t step, int64_t a0,
                    int64_t count, const Conv1dEpilogue& ep, float* dst) {
  const int64_t base = first + step * a0;  // index of dst[0]
  const int64_t lo = std::clamp<int64_t>(base >= 0 ? 0 : (-base + step - 1) / step, 0, count);
  const int64_t hi = std::clamp<int64_t>(len - base <= 0 ? 0 : (len - base + step - 1) / step, lo, count);
  std::fill(dst, dst + lo, 0.0f);
  if (!simd || !simd->winograd_gather(xs + base + lo * step, step, hi - lo, ep.has_input_slope, ep.input_slope, dst + lo))
    gather_scalar(xs + base + lo * step, step, hi - lo, ep.has_input_slope, ep.input_slope, dst + lo);
  std::fill(dst + hi, dst + count, 0.0f);
}

// Output tiles [a0, a0 + b) of image img, every phase: input transform (with the input activation), the GEMMs
// of each point and chunk, output transform, interleave, epilogue. V and M are the calling thread's scratch;
// inside a parallel region (one block a task) everything runs on the calling thread.
void run_block(const Plan& P, int64_t img, int64_t a0, int64_t b, const float* px, const float* u, const Matrices& mx,
               const SimdKernels* simd, const Conv1dEpilogue& ep, float* py) {
  const int64_t row = P.row(b), ldv = P.ldv(b), cols = P.cols(b), d = P.d, c_in = P.c_in, c_out = P.c_out;
  const int64_t split = row + 1;  // samples per residue class
  float* v = thread_scratch(Scratch::kWinogradV, static_cast<size_t>(kAlpha * c_in * ldv) * sizeof(float));
  float* m = thread_scratch(Scratch::kWinogradM, static_cast<size_t>(kAlpha * c_out * cols) * sizeof(float));
  // V[xi][ci][(parity d + p) row + a'] = sum_e BT[xi][e] act(x_p[kTile (a0 + a') + kTaps parity + e]),
  // x_p[i] = x[ci][p - padding + d i] (zero outside the input).
  parallel_for(c_in * d, 4, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> phase_buf;
    phase_buf.resize(static_cast<size_t>(kTile * split));
    float* phase = phase_buf.data();
    for (int64_t q = begin; q < end; ++q) {
      const int64_t ci = q / d, p = q % d;
      const float* xs = px + (img * c_in + ci) * P.len;
      // Residue r holds x_p[kTile a + r], a in [a0, a0 + split): x[first + kTile d a], first = p - padding + d r.
      for (int r = 0; r < kTile; ++r)
        gather_residue(simd, xs, P.len, p - P.padding + d * r, kTile * d, a0, split, ep, phase + r * split);
      for (int64_t parity = 0; parity < P.parities(); ++parity) {
        // Term e of tile a' is x_p[kTile (a0 + a') + s], s = kTaps parity + e: residue s % kTile, tile a' + s / kTile.
        const float* f[kAlpha];
        for (int e = 0; e < kAlpha; ++e) {
          const int64_t sh = kTaps * parity + e;
          f[e] = phase + (sh % kTile) * split + sh / kTile;
        }
        float* dst[kAlpha];
        for (int xi = 0; xi < kAlpha; ++xi) dst[xi] = v + (xi * c_in + ci) * ldv + (parity * d + p) * row;
        if (simd)
          simd->winograd_input_transform(f, mx, dst, row);
        else
          input_transform_scalar(f, mx, dst, row);
      }
    }
  });
  // M[xi] = sum_j U[xi][j] V[xi] of parity j % 2, shifted by j / 2 tiles.
  for (int xi = 0; xi < kAlpha; ++xi)
    for (int64_t j = 0; j < P.chunks; ++j)
      sgemm(false, false, c_out, cols, c_in, 1.0f, u + (xi * P.chunks + j) * c_out * c_in, c_in,
            v + xi * c_in * ldv + (j % 2) * d * row + j / 2, ldv, j == 0 ? 0.0f : 1.0f, m + xi * c_out * cols, cols);
  // Per output channel and phase: output transform into kTile residue rows, interleaved into place; then the
  // epilogue over the block's outputs.
  const int64_t l0 = kTile * d * a0, l1 = std::min(P.out_len, kTile * d * (a0 + b));
  parallel_for(c_out, 4, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> outs;
    outs.resize(static_cast<size_t>(kTile * b));
    float* o[kTile];
    for (int t = 0; t < kTile; ++t) o[t] = outs.data() + t * b;
    for (int64_t co = begin; co < end; ++co) {
      const int64_t base = (img * c_out + co) * P.out_len;
      float* y = py + base;
      for (int64_t p = 0; p < std::min(d, P.out_len); ++p) {
        const float* mrow[kAlpha];
        for (int xi = 0; xi < kAlpha; ++xi) mrow[xi] = m + (xi * c_out + co) * cols + p * row;
        if (simd)
          simd->winograd_output_transform(mrow, mx, o, b);
        else
          output_transform_scalar(mrow, mx, o, b);
        if (d == 1) {
          // The vector kernel does whole blocks of 16 tiles; the scalar loop the rest.
          const int64_t done = simd ? simd->winograd_interleave(o, b, y + l0, P.out_len - l0) : 0;
          const float* rest[kTile];
          for (int t = 0; t < kTile; ++t) rest[t] = o[t] + done;
          interleave_scalar(rest, b - done, y + l0 + kTile * done, P.out_len - l0 - kTile * done);
        } else {
          for (int64_t i = 0, l = l0 + p; i < kTile * b && l < P.out_len; ++i, l += d) y[l] = o[i % kTile][i / kTile];
        }
      }
      apply_conv1d_epilogue(y + l0, l1 - l0, ep.bias ? ep.bias[co] : 0.0f,
                            ep.residual ? ep.residual + base + l0 : nullptr,
                            ep.residual2 ? ep.residual2 + base + l0 : nullptr, ep);
    }
  });
}

}  // namespace

void winograd_conv1d(const Tensor& x, const Tensor& weight_in, const Tensor& weight, int64_t padding,
                     int64_t dilation, const Conv1dEpilogue& ep, Tensor& out) {
  static_assert(kTile == 2 * kTaps, "input tiles of two parities, kTaps apart");
  Plan P{};
  P.n = x.size(0);
  P.c_in = x.size(1);
  P.len = x.size(2);
  P.c_out = weight.size(0);
  P.out_len = out.size(2);
  P.d = dilation;
  P.padding = padding;
  P.chunks = (weight.size(2) + kTaps - 1) / kTaps;
  P.tiles = ((P.out_len + P.d - 1) / P.d + kTile - 1) / kTile;
  P.block = block_tiles(P.c_in, P.c_out, P.d, P.tiles);
  const auto weights = find_weights(weight_in, weight);
  const float* u = weights->u.data();
  const Matrices& mx = matrices();
  const SimdKernels* simd = simd_kernels();
  const float* px = x.data<float>();
  float* py = out.data<float>();
  const int64_t blocks = P.blocks(), tasks = P.n * blocks;
  auto run_range = [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t img = t / blocks, a0 = (t % blocks) * P.block;
      run_block(P, img, a0, std::min(P.block, P.tiles - a0), px, u, mx, simd, ep, py);
    }
  };
  // Several blocks run in parallel with single-threaded GEMMs (oneDNN runs serially inside a parallel region);
  // one block an image runs in order, its loops and GEMMs threaded. OpenBLAS keeps its own pool: with it blocks
  // run in order and the library threads each GEMM.
  if (blocks == 1 || gemm_backend() != GemmBackend::kOneDnn) {
    run_range(0, tasks);
    return;
  }
  parallel_for(tasks, 1, run_range);
}

Tensor winograd_conv1d_if_wanted(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, int64_t stride,
                                 int64_t padding, int64_t dilation, int64_t groups, const Conv1dEpilogue& epilogue) {
  if (x_in.dim() != 3 || weight_in.dim() != 3 || !x_in.device().is_cpu() || !weight_in.device().is_cpu() ||
      !is_floating(x_in.dtype()) || !is_floating(weight_in.dtype()))
    return {};
  const int64_t c_in = x_in.size(1), c_out = weight_in.size(0), k = weight_in.size(2);
  if (weight_in.size(1) != c_in || padding < 0 || dilation < 1) return {};
  if (bias_in.defined() && (!bias_in.device().is_cpu() || !is_floating(bias_in.dtype()) || bias_in.dim() != 1 ||
                            bias_in.size(0) != c_out))
    return {};
  const int64_t out_len = x_in.size(2) + 2 * padding - dilation * (k - 1);
  if (!winograd1d_wanted(c_in, c_out, k, stride, groups, out_len)) return {};
  const Tensor x = as_f32(x_in), weight = as_f32(weight_in), bias = as_f32(bias_in);
  Conv1dEpilogue ep = epilogue;
  if (bias.defined()) ep.bias = bias.data<float>();
  Tensor out = Tensor::empty({x.size(0), c_out, out_len});
  winograd_conv1d(x, weight_in, weight, padding, dilation, ep, out);
  return out;
}

int64_t winograd1d_cached_weights() { return weight_cache().size(); }

void clear_winograd1d_cache() { weight_cache().clear(); }

}  // namespace foley::tensor::cpu
