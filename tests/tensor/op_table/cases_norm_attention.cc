// Op table rows: the normalisations, attention and softmax.

#include <cmath>
#include <limits>
#include <string>

#include "op_table/op_table.h"

namespace foley::tensor::op_table {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr Threshold kCpuNorm{1e-11, "f32 statistics over <= 2000 elements vs double"};
constexpr Threshold kCudaNorm{1e-9, "f32 tree reduction vs the CPU's order"};
constexpr Threshold kCpuAttention{1e-10, "f32 scores, online softmax, vectorised exp (measured <= 1e-12)"};
constexpr Threshold kCudaTensorCore{5e-4, "Q, K, V and P rounded to bf16 on tensor cores, f32 statistics"};
constexpr Threshold kCudaGenericAttention{1e-9, "generic kernel is f32 throughout"};
constexpr Threshold kCpuSoftmax{1e-12, "f32 exp and one division per element"};
constexpr Threshold kCudaSoftmax{1e-10, "f32 on both sides; libm exp differs by a few ulps"};

constexpr Threshold kCudaGemmAttention{5e-4, "heads wider than 96: bf16 cuBLASLt GEMMs around an f32 softmax"};

// The CUDA attention takes the bf16 tensor-core path for these head dims, GEMMs for heads wider than 96 (unless
// causal), else the f32 generic kernel.
Threshold cuda_attention_threshold(int64_t d, int64_t dv, bool causal) {
  if (d == dv && d % 16 == 0 && d >= 16 && d <= 96) return kCudaTensorCore;
  if (!causal && (d > 96 || dv > 96)) return kCudaGemmAttention;
  return kCudaGenericAttention;
}

// x [N, C, *] group-normalised in double, then silu when `with_silu`.
Expected group_norm_ref(const Inputs& t, int64_t groups, double eps, bool with_silu) {
  const auto x = values_of(t[0]), w = values_of(t[1]), b = values_of(t[2]);
  const int64_t n = t[0].size(0), c = t[0].size(1), spatial = t[0].numel() / (n * c), cg = c / groups;
  Expected e{t[0].shape(), DType::kF32, std::vector<double>(x.size())};
  for (int64_t ni = 0; ni < n; ++ni)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t base = (ni * c + g * cg) * spatial, count = cg * spatial;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < count; ++i) mean += x[idx(base + i)];
      mean /= static_cast<double>(count);
      for (int64_t i = 0; i < count; ++i) var += (x[idx(base + i)] - mean) * (x[idx(base + i)] - mean);
      var /= static_cast<double>(count);
      for (int64_t i = 0; i < count; ++i) {
        const int64_t ch = g * cg + i / spatial;
        double v = (x[idx(base + i)] - mean) / std::sqrt(var + eps);
        v = v * (w.empty() ? 1.0 : w[idx(ch)]) + (b.empty() ? 0.0 : b[idx(ch)]);
        e.values[idx(base + i)] = with_silu ? silu_ref(v) : v;
      }
    }
  return e;
}

OpCase group_norm_case(bool with_silu, Shape shape, int64_t groups, bool affine, DType dtype, uint32_t seed) {
  const std::string label = shape_to_string(shape) + " groups " + std::to_string(groups) +
                            (affine ? " affine" : " no affine") + " " + std::string(dtype_name(dtype));
  const int64_t c = shape[1];
  return {with_silu ? "group_norm_silu" : "group_norm",
          label,
          [=] {
            return Inputs{random_float(shape, seed, -2, 3, dtype), affine ? random_float({c}, seed + 1) : Tensor(),
                          affine ? random_float({c}, seed + 2) : Tensor()};
          },
          [=](const Inputs& t) {
            return std::vector<Tensor>{with_silu ? group_norm_silu(t[0], groups, t[1], t[2], 1e-5)
                                                 : group_norm(t[0], groups, t[1], t[2], 1e-5)};
          },
          [=](const Inputs& t) { return std::vector<Expected>{group_norm_ref(t, groups, 1e-5, with_silu)}; },
          kCpuNorm,
          kCudaNorm};
}

OpCase layer_norm_case(Shape shape, bool weight, bool bias, uint32_t seed) {
  const int64_t d = shape.back();
  return {"layer_norm",
          shape_to_string(shape) + (weight ? " weight" : "") + (bias ? " bias" : ""),
          [=] {
            return Inputs{random_float(shape, seed, -1, 2), weight ? random_float({d}, seed + 1) : Tensor(),
                          bias ? random_float({d}, seed + 2) : Tensor()};
          },
          [](const Inputs& t) { return std::vector<Tensor>{layer_norm(t[0], t[1], t[2], 1e-5)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]), w = values_of(t[1]), b = values_of(t[2]);
            Expected e{shape, DType::kF32, std::vector<double>(x.size())};
            for (size_t r = 0; r < x.size() / idx(d); ++r) {
              double mean = 0, var = 0;
              for (int64_t i = 0; i < d; ++i) mean += x[r * idx(d) + idx(i)];
              mean /= static_cast<double>(d);
              for (int64_t i = 0; i < d; ++i) var += std::pow(x[r * idx(d) + idx(i)] - mean, 2);
              var /= static_cast<double>(d);
              for (int64_t i = 0; i < d; ++i)
                e.values[r * idx(d) + idx(i)] =
                    (x[r * idx(d) + idx(i)] - mean) / std::sqrt(var + 1e-5) * (w.empty() ? 1.0 : w[idx(i)]) +
                    (b.empty() ? 0.0 : b[idx(i)]);
            }
            return std::vector<Expected>{e};
          },
          kCpuNorm,
          kCudaNorm};
}

OpCase rms_norm_case(Shape shape, bool weight, uint32_t seed) {
  const int64_t d = shape.back();
  return {"rms_norm",
          shape_to_string(shape) + (weight ? " weight" : ""),
          [=] {
            return Inputs{random_float(shape, seed, -2, 2), weight ? random_float({d}, seed + 1) : Tensor()};
          },
          [](const Inputs& t) { return std::vector<Tensor>{rms_norm(t[0], t[1], 1e-6)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]), w = values_of(t[1]);
            Expected e{shape, DType::kF32, std::vector<double>(x.size())};
            for (size_t r = 0; r < x.size() / idx(d); ++r) {
              double ms = 0;
              for (int64_t i = 0; i < d; ++i) ms += x[r * idx(d) + idx(i)] * x[r * idx(d) + idx(i)];
              const double inv = 1.0 / std::sqrt(ms / static_cast<double>(d) + 1e-6);
              for (int64_t i = 0; i < d; ++i)
                e.values[r * idx(d) + idx(i)] = x[r * idx(d) + idx(i)] * inv * (w.empty() ? 1.0 : w[idx(i)]);
            }
            return std::vector<Expected>{e};
          },
          kCpuNorm,
          kCudaNorm};
}

// Reference along `dim` of x: for every (outer, inner) line, f(line) in place.
void for_each_line(const Shape& shape, int64_t dim, const std::function<void(std::vector<size_t>&)>& f) {
  const int64_t d = dim < 0 ? dim + static_cast<int64_t>(shape.size()) : dim;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= shape[idx(i)];
  for (size_t i = idx(d) + 1; i < shape.size(); ++i) inner *= shape[i];
  const int64_t n = shape[idx(d)];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      std::vector<size_t> line;
      for (int64_t j = 0; j < n; ++j) line.push_back(idx((o * n + j) * inner + in));
      f(line);
    }
}

OpCase l2_normalize_case(Shape shape, int64_t dim, bool zero_line, uint32_t seed) {
  return {"l2_normalize",
          shape_to_string(shape) + " dim " + std::to_string(dim) + (zero_line ? " with a zero line" : ""),
          [=] {
            Tensor x = random_float(shape, seed);
            if (zero_line) {  // the first line along `dim` all zeros: divided by eps, stays 0
              std::vector<float> v = x.to_vector_f32();
              for_each_line(shape, dim, [&, first = true](std::vector<size_t>& line) mutable {
                if (first)
                  for (size_t i : line) v[i] = 0.0f;
                first = false;
              });
              x = Tensor::from_vector(v, shape);
            }
            return Inputs{x};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{l2_normalize(t[0], dim, 1e-12)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            Expected e{shape, DType::kF32, x};
            for_each_line(shape, dim, [&](std::vector<size_t>& line) {
              double ss = 0;
              for (size_t i : line) ss += x[i] * x[i];
              const double norm = std::max(std::sqrt(ss), 1e-12);
              for (size_t i : line) e.values[i] = x[i] / norm;
            });
            return std::vector<Expected>{e};
          },
          kCpuNorm,
          kCudaNorm};
}

OpCase softmax_case(Shape shape, int64_t dim, bool with_neg_inf, uint32_t seed) {
  return {"softmax",
          shape_to_string(shape) + " dim " + std::to_string(dim) + (with_neg_inf ? " with -inf" : ""),
          [=] {
            Tensor x = random_float(shape, seed, -6, 6);
            if (with_neg_inf) {  // line 0 partly -inf, line 1 entirely -inf (NaN, as torch)
              std::vector<float> v = x.to_vector_f32();
              int line_no = 0;
              for_each_line(shape, dim, [&](std::vector<size_t>& line) {
                for (size_t j = 0; j < line.size(); ++j)
                  if ((line_no == 0 && j % 3 == 1) || line_no == 1) v[line[j]] = -INFINITY;
                ++line_no;
              });
              x = Tensor::from_vector(v, shape);
            }
            return Inputs{x};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{softmax(t[0], dim)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            Expected e{shape, DType::kF32, x};
            for_each_line(shape, dim, [&](std::vector<size_t>& line) {
              double m = -kInf, sum = 0;
              for (size_t i : line) m = std::max(m, x[i]);
              for (size_t i : line) sum += std::exp(x[i] - m);
              for (size_t i : line) e.values[i] = std::exp(x[i] - m) / sum;
            });
            return std::vector<Expected>{e};
          },
          kCpuSoftmax,
          kCudaSoftmax};
}

// --- attention ------------------------------------------------------------------------------------------

enum class Bias {
  kNone,
  kPadding,     // [B, 1, 1, Lk]: the last third of batch 1's keys at -10000 (a T5/CLAP padding mask)
  kRelative,    // [1, H, Lq, Lk] random in [-3, 3] (T5 relative-position bias)
  kFull,        // [B, H, Lq, Lk] random
  kRowMasked,   // [B, 1, Lq, Lk]: query row 1 of every batch entirely -inf, others -inf on every 4th key
  kLeadingInf,  // [B, 1, 1, Lk]: the first 600 keys -inf (left padding longer than a CPU key block)
};

struct AttentionShape {
  int64_t b, h, lq, lk, d, dv;
  bool causal = false;
  Bias bias = Bias::kNone;
  double scale = std::numeric_limits<double>::quiet_NaN();
};

std::string describe(const AttentionShape& s) {
  static const char* bias_names[] = {"",           " padding-mask",    " rel-bias",
                                     " full-bias", " row-masked -inf", " leading -inf"};
  return "b" + std::to_string(s.b) + " h" + std::to_string(s.h) + " lq" + std::to_string(s.lq) + " lk" +
         std::to_string(s.lk) + " d" + std::to_string(s.d) + " dv" + std::to_string(s.dv) +
         (s.causal ? " causal" : "") + bias_names[static_cast<int>(s.bias)] +
         (std::isnan(s.scale) ? "" : " scale " + std::to_string(s.scale));
}

Tensor make_bias(const AttentionShape& s, uint32_t seed) {
  auto fill = [](Shape shape, const std::function<float(int64_t, int64_t, int64_t, int64_t)>& f) {
    std::vector<float> v;
    for (int64_t a = 0; a < shape[0]; ++a)
      for (int64_t b = 0; b < shape[1]; ++b)
        for (int64_t c = 0; c < shape[2]; ++c)
          for (int64_t d = 0; d < shape[3]; ++d) v.push_back(f(a, b, c, d));
    return Tensor::from_vector(v, shape);
  };
  const float inf = std::numeric_limits<float>::infinity();
  switch (s.bias) {
    case Bias::kNone:
      return {};
    case Bias::kPadding:
      return fill({s.b, 1, 1, s.lk}, [&](int64_t b, int64_t, int64_t, int64_t j) {
        return b == 1 && j >= s.lk - s.lk / 3 ? -10000.0f : 0.0f;
      });
    case Bias::kRelative:
      return random_float({1, s.h, s.lq, s.lk}, seed, -3, 3);
    case Bias::kFull:
      return random_float({s.b, s.h, s.lq, s.lk}, seed, -3, 3);
    case Bias::kRowMasked:
      return fill({s.b, 1, s.lq, s.lk},
                  [&](int64_t, int64_t, int64_t i, int64_t j) { return i == 1 || j % 4 == 3 ? -inf : 0.0f; });
    case Bias::kLeadingInf:
      return fill({s.b, 1, 1, s.lk}, [&](int64_t, int64_t, int64_t, int64_t j) { return j < 600 ? -inf : 0.0f; });
  }
  return {};
}

// Reference on [B, H, L, D] values; `at` maps (b, h, row, col, L, width) to a flat index (the two layouts).
using Locate = int64_t (*)(int64_t b, int64_t h, int64_t row, int64_t col, int64_t heads, int64_t len, int64_t width);
int64_t heads_major(int64_t b, int64_t h, int64_t row, int64_t col, int64_t heads, int64_t len, int64_t width) {
  return ((b * heads + h) * len + row) * width + col;
}
int64_t tokens_major(int64_t b, int64_t h, int64_t row, int64_t col, int64_t heads, int64_t len, int64_t width) {
  return (b * len + row) * heads * width + h * width + col;
}

std::vector<double> attention_ref(const AttentionShape& s, const Inputs& t, Locate at) {
  const auto q = values_of(t[0]), k = values_of(t[1]), v = values_of(t[2]), bias = values_of(t[3]);
  const double scale = std::isnan(s.scale) ? 1.0 / std::sqrt(static_cast<double>(s.d)) : s.scale;
  std::vector<double> out(idx(s.b * s.h * s.lq * s.dv));
  for (int64_t b = 0; b < s.b; ++b)
    for (int64_t h = 0; h < s.h; ++h)
      for (int64_t i = 0; i < s.lq; ++i) {
        const int64_t keys = s.causal ? s.lk - s.lq + i + 1 : s.lk;  // causal: aligned to the end of the keys
        std::vector<double> p(idx(keys));
        double m = -kInf;
        for (int64_t j = 0; j < keys; ++j) {
          double acc = 0;
          for (int64_t c = 0; c < s.d; ++c)
            acc += q[idx(at(b, h, i, c, s.h, s.lq, s.d))] * k[idx(at(b, h, j, c, s.h, s.lk, s.d))];
          acc *= scale;
          if (!bias.empty()) {
            const Shape& bs = t[3].shape();
            const int64_t bb = bs[0] == 1 ? 0 : b, bh = bs[1] == 1 ? 0 : h, bi = bs[2] == 1 ? 0 : i;
            acc += bias[idx(((bb * bs[1] + bh) * bs[2] + bi) * s.lk + j)];
          }
          p[idx(j)] = acc;
          m = std::max(m, acc);
        }
        // A row whose keys are all -inf: exp(-inf - -inf) = NaN, as torch's softmax.
        double sum = 0;
        for (double& x : p) sum += (x = std::exp(x - m));
        for (int64_t c = 0; c < s.dv; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < keys; ++j) acc += p[idx(j)] * v[idx(at(b, h, j, c, s.h, s.lk, s.dv))];
          out[idx(heads_major(b, h, i, c, s.h, s.lq, s.dv))] = acc / sum;
        }
      }
  return out;
}

AttentionOptions options_of(const AttentionShape& s, const Tensor& bias) {
  AttentionOptions o;
  o.scale = s.scale;
  o.causal = s.causal;
  o.bias = bias;
  return o;
}

OpCase attention_case(const AttentionShape& s, uint32_t seed) {
  return {"attention",
          describe(s),
          [=] {
            return Inputs{random_float({s.b, s.h, s.lq, s.d}, seed, -2, 2),
                          random_float({s.b, s.h, s.lk, s.d}, seed + 1, -2, 2),
                          random_float({s.b, s.h, s.lk, s.dv}, seed + 2), make_bias(s, seed + 3)};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{attention(t[0], t[1], t[2], options_of(s, t[3]))}; },
          [=](const Inputs& t) {
            return std::vector<Expected>{{{s.b, s.h, s.lq, s.dv}, DType::kF32, attention_ref(s, t, heads_major)}};
          },
          kCpuAttention,
          cuda_attention_threshold(s.d, s.dv, s.causal)};
}

OpCase attention_heads_case(const AttentionShape& s, uint32_t seed) {
  return {
      "attention_heads",
      describe(s),
      [=] {
        return Inputs{random_float({s.b, s.lq, s.h * s.d}, seed, -2, 2),
                      random_float({s.b, s.lk, s.h * s.d}, seed + 1, -2, 2),
                      random_float({s.b, s.lk, s.h * s.dv}, seed + 2), make_bias(s, seed + 3)};
      },
      [=](const Inputs& t) { return std::vector<Tensor>{attention_heads(t[0], t[1], t[2], s.h, options_of(s, t[3]))}; },
      [=](const Inputs& t) {
        // The reference writes heads-major; reorder to [B, Lq, H*Dv].
        const std::vector<double> hm = attention_ref(s, t, tokens_major);
        Expected e{{s.b, s.lq, s.h * s.dv}, DType::kF32, std::vector<double>(hm.size())};
        for (int64_t b = 0; b < s.b; ++b)
          for (int64_t h = 0; h < s.h; ++h)
            for (int64_t i = 0; i < s.lq; ++i)
              for (int64_t c = 0; c < s.dv; ++c)
                e.values[idx(tokens_major(b, h, i, c, s.h, s.lq, s.dv))] =
                    hm[idx(heads_major(b, h, i, c, s.h, s.lq, s.dv))];
        return std::vector<Expected>{e};
      },
      kCpuAttention,
      cuda_attention_threshold(s.d, s.dv, s.causal)};
}

}  // namespace

std::vector<OpCase> norm_attention_cases() {
  using B = Bias;
  std::vector<OpCase> cases = {
      group_norm_case(false, {2, 6, 5, 7}, 3, true, DType::kF32, 1000),
      group_norm_case(false, {1, 8, 37}, 4, false, DType::kF32, 1010),
      group_norm_case(false, {2, 12, 3, 5}, 12, true, DType::kF32, 1020),  // one channel per group
      group_norm_case(false, {1, 4, 9, 3}, 2, true, DType::kBF16, 1030),
      group_norm_case(true, {2, 6, 5, 7}, 3, true, DType::kF32, 1040),
      group_norm_case(true, {1, 32, 11, 13}, 8, false, DType::kF32, 1050),
      group_norm_case(true, {2, 9, 41}, 3, true, DType::kF16, 1060),
      // Few large groups (a batch-1 decoder at full resolution): CUDA cuts each group into slices.
      group_norm_case(true, {1, 16, 96, 130}, 4, true, DType::kF32, 1070),
      group_norm_case(false, {1, 8, 70001}, 2, false, DType::kF32, 1080),
      layer_norm_case({2, 7, 33}, true, true, 1100),
      layer_norm_case({1, 5, 768}, true, false, 1110),
      layer_norm_case({3, 17}, false, false, 1120),
      rms_norm_case({2, 9, 31}, true, 1200),
      rms_norm_case({1, 3, 512}, false, 1210),
      l2_normalize_case({2, 5, 7}, -1, true, 1300),
      l2_normalize_case({2, 5, 7}, 1, false, 1310),
      l2_normalize_case({3, 513}, 0, true, 1320),
      softmax_case({2, 3, 37}, -1, false, 1400),
      softmax_case({2, 9, 5}, 1, false, 1410),
      softmax_case({4, 77}, -1, true, 1420),
  };
  const AttentionShape attention_shapes[] = {
      {2, 3, 37, 37, 32, 32},                            // unmasked self-attention, odd length
      {2, 2, 13, 77, 48, 48, false, B::kPadding},        // cross-attention to padded T5 states
      {1, 4, 70, 70, 64, 64, false, B::kRelative, 1.0},  // T5: relative bias, scale 1
      {1, 2, 9, 130, 80, 80, false, B::kFull},           // > 64 keys, full bias
      {2, 2, 65, 65, 96, 96, true},                      // causal, Lq == Lk
      {1, 3, 5, 131, 64, 64, true},                      // causal with a KV cache: Lq < Lk, > 64 keys
      {2, 2, 1, 19, 64, 64, true},                       // one new token after 18 cached ones
      {2, 3, 23, 29, 40, 40, false, B::kPadding},        // head dim not a multiple of 16
      {1, 2, 17, 33, 24, 56},                            // dv != d
      {2, 2, 11, 70, 64, 32, true},                      // dv != d, causal Lq < Lk
      {2, 4, 33, 33, 8, 8, false, B::kFull},             // small heads (the CPU's key-vectorised kernel)
      {1, 2, 21, 90, 12, 5, true, B::kPadding},          // small, odd d/dv, causal Lq < Lk
      {2, 2, 7, 19, 32, 32, false, B::kRowMasked},       // a query row with every key at -inf: NaN
      {1, 2, 6, 21, 8, 8, false, B::kRowMasked},         // the same on the small-head kernel
      {1, 1, 3, 1100, 64, 64, false, B::kLeadingInf},    // -inf over the whole first CPU key block
      {1, 2, 3, 1100, 16, 16, false, B::kLeadingInf},    // the same on the small-head kernel
      {2, 1, 4, 4, 32, 32, false, B::kNone, 0.3},        // explicit scale
      {1, 1, 97, 97, 512, 512},                          // the VAE mid-block: one 512-wide head
      {1, 2, 67, 8, 80, 80},                             // cross-attention to the 8 GPT-2 vectors
      {2, 4, 1, 1, 16, 16},                              // a single key
  };
  uint32_t seed = 1500;
  for (const AttentionShape& s : attention_shapes) cases.push_back(attention_case(s, seed += 10));
  const AttentionShape heads_shapes[] = {
      {2, 4, 19, 19, 32, 32},
      {1, 3, 7, 77, 48, 48, false, B::kPadding},
      {2, 2, 5, 70, 64, 64, true},                  // causal with a KV cache
      {1, 5, 13, 13, 20, 28, false, B::kRelative},  // odd d, dv != d
      {2, 3, 9, 9, 8, 8, true},                     // small heads, causal
      {1, 2, 4, 9, 32, 32, false, B::kRowMasked},
  };
  for (const AttentionShape& s : heads_shapes) cases.push_back(attention_heads_case(s, seed += 10));
  return cases;
}

}  // namespace foley::tensor::op_table
