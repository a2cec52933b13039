// Op table rows: linear, matmul and the convolutions.

#include <cmath>
#include <string>

#include "op_table/op_table.h"

namespace foley::tensor::op_table {
namespace {

// CPU: f32 products summed in f32 (blocked GEMM / Winograd transforms); NMSE grows like K u^2 ~ 1e-13 for these K.
constexpr Threshold kCpuGemm{1e-10, "f32 accumulation over K <= 600 terms, K u^2 ~ 1e-13"};
// 1-D Winograd transforms its inputs and weights with non-unit constants: a few more roundings per product.
constexpr Threshold kCpuWinograd{1e-9, "Winograd F(m,3) transforms add roundings (measured <= 2e-13)"};
constexpr Threshold kCudaBf16Gemm{1e-4, "cuBLASLt on bf16 operands (u = 2^-8): NMSE ~ (2/3) u^2 ~ 1e-5"};

double leaky(double v, double slope) { return std::isnan(slope) || v > 0 ? v : v * slope; }

OpCase linear_case(Shape x_shape, int64_t out, bool bias, DType weight_dtype, uint32_t seed) {
  const int64_t in = x_shape.back();
  std::string label = shape_to_string(x_shape) + " -> " + std::to_string(out) + (bias ? " +bias" : "") + " w " +
                      std::string(dtype_name(weight_dtype));
  return {"linear",
          label,
          [=] {
            return Inputs{random_float(x_shape, seed), random_float({out, in}, seed + 1, -1, 1, weight_dtype),
                          bias ? random_float({out}, seed + 2) : Tensor()};
          },
          [](const Inputs& t) { return std::vector<Tensor>{linear(t[0], t[1], t[2])}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]), w = values_of(t[1]), b = values_of(t[2]);
            const int64_t rows = t[0].numel() / in;
            Shape shape = x_shape;
            shape.back() = out;
            Expected e{shape, DType::kF32, {}};
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t o = 0; o < out; ++o) {
                double acc = b.empty() ? 0.0 : b[idx(o)];
                for (int64_t i = 0; i < in; ++i) acc += x[idx(r * in + i)] * w[idx(o * in + i)];
                e.values.push_back(acc);
              }
            return std::vector<Expected>{e};
          },
          kCpuGemm,
          kCudaBf16Gemm};
}

// a [..., M, K] @ b [..., K, N] (or [..., N, K] with transpose_b), batch dims broadcast.
OpCase matmul_case(Shape a_shape, Shape b_shape, bool transpose_b, uint32_t seed) {
  const std::string label = shape_to_string(a_shape) + " @ " + shape_to_string(b_shape) + (transpose_b ? "^T" : "");
  return {"matmul",
          label,
          [=] {
            return Inputs{random_float(a_shape, seed), random_float(b_shape, seed + 1)};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{matmul(t[0], t[1], transpose_b)}; },
          [=](const Inputs& t) {
            const auto a = values_of(t[0]), b = values_of(t[1]);
            const int64_t m = a_shape[a_shape.size() - 2], k = a_shape.back();
            const int64_t n = transpose_b ? b_shape[b_shape.size() - 2] : b_shape.back();
            const Shape a_batch(a_shape.begin(), a_shape.end() - 2), b_batch(b_shape.begin(), b_shape.end() - 2);
            const Shape batch = broadcast_shape(a_batch, b_batch);
            Shape shape = batch;
            shape.push_back(m);
            shape.push_back(n);
            Expected e{shape, DType::kF32, {}};
            for (int64_t bi = 0; bi < shape_numel(batch); ++bi) {
              const int64_t ao = broadcast_offset(bi, batch, a_batch) * m * k;
              const int64_t bo = broadcast_offset(bi, batch, b_batch) * k * n;
              for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) {
                  double acc = 0;
                  for (int64_t p = 0; p < k; ++p)
                    acc += a[idx(ao + i * k + p)] * b[idx(bo + (transpose_b ? j * k + p : p * n + j))];
                  e.values.push_back(acc);
                }
            }
            return std::vector<Expected>{e};
          },
          kCpuGemm,
          kCudaBf16Gemm};
}

// conv1d in double: x [N, Cin, L], w [Cout, Cin/g, K].
Expected conv1d_ref(const Tensor& xt, const Tensor& wt, const Tensor& bt, const Conv1dOptions& o, double input_slope) {
  const auto x = values_of(xt), w = values_of(wt), b = values_of(bt);
  const int64_t n = xt.size(0), cin = xt.size(1), len = xt.size(2), cout = wt.size(0), k = wt.size(2);
  const int64_t cig = cin / o.groups, cog = cout / o.groups;
  const int64_t lout = (len + 2 * o.padding - o.dilation * (k - 1) - 1) / o.stride + 1;
  Expected e{{n, cout, lout}, DType::kF32, {}};
  for (int64_t ni = 0; ni < n; ++ni)
    for (int64_t oc = 0; oc < cout; ++oc)
      for (int64_t t = 0; t < lout; ++t) {
        const int64_t g = oc / cog;
        double acc = b.empty() ? 0.0 : b[idx(oc)];
        for (int64_t ic = 0; ic < cig; ++ic)
          for (int64_t kk = 0; kk < k; ++kk) {
            const int64_t pos = t * o.stride - o.padding + kk * o.dilation;
            if (pos < 0 || pos >= len) continue;
            acc += leaky(x[idx((ni * cin + g * cig + ic) * len + pos)], input_slope) * w[idx((oc * cig + ic) * k + kk)];
          }
        e.values.push_back(acc);
      }
  return e;
}

OpCase conv1d_case(Shape x_shape, int64_t cout, int64_t k, Conv1dOptions o, bool bias, uint32_t seed,
                   Threshold cpu = kCpuGemm) {
  const int64_t cin = x_shape[1];
  const std::string label = shape_to_string(x_shape) + " cout " + std::to_string(cout) + " k" + std::to_string(k) +
                            " s" + std::to_string(o.stride) + " p" + std::to_string(o.padding) + " d" +
                            std::to_string(o.dilation) + " g" + std::to_string(o.groups) + (bias ? " +bias" : "");
  return {"conv1d",
          label,
          [=] {
            return Inputs{random_float(x_shape, seed), random_float({cout, cin / o.groups, k}, seed + 1),
                          bias ? random_float({cout}, seed + 2) : Tensor()};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{conv1d(t[0], t[1], t[2], o)}; },
          [=](const Inputs& t) { return std::vector<Expected>{conv1d_ref(t[0], t[1], t[2], o, NAN)}; },
          cpu,
          kCudaBf16Gemm};
}

// conv1d_fused with every fusion field set (or the subset given).
OpCase conv1d_fused_case(Shape x_shape, int64_t cout, int64_t k, Conv1dOptions o, double input_slope, int residuals,
                         double output_scale, double output_slope, uint32_t seed, Threshold cpu) {
  const int64_t cin = x_shape[1];
  const std::string label = shape_to_string(x_shape) + " cout " + std::to_string(cout) + " k" + std::to_string(k) +
                            " p" + std::to_string(o.padding) + " d" + std::to_string(o.dilation) + " in_slope " +
                            std::to_string(input_slope) + " residuals " + std::to_string(residuals) + " scale " +
                            std::to_string(output_scale) + " out_slope " + std::to_string(output_slope);
  return {"conv1d_fused",
          label,
          [=] {
            const int64_t lout = (x_shape[2] + 2 * o.padding - o.dilation * (k - 1) - 1) / o.stride + 1;
            return Inputs{random_float(x_shape, seed), random_float({cout, cin / o.groups, k}, seed + 1, -0.3f, 0.3f),
                          random_float({cout}, seed + 2),
                          residuals >= 1 ? random_float({x_shape[0], cout, lout}, seed + 3) : Tensor(),
                          residuals >= 2 ? random_float({x_shape[0], cout, lout}, seed + 4) : Tensor()};
          },
          [=](const Inputs& t) {
            Conv1dFusion f;
            f.input_slope = input_slope;
            f.residual = t[3];
            f.residual2 = t[4];
            f.output_scale = output_scale;
            f.output_slope = output_slope;
            return std::vector<Tensor>{conv1d_fused(t[0], t[1], t[2], o, f)};
          },
          [=](const Inputs& t) {
            Expected e = conv1d_ref(t[0], t[1], t[2], o, input_slope);
            const auto r1 = values_of(t[3]), r2 = values_of(t[4]);
            for (size_t i = 0; i < e.values.size(); ++i) {
              double v = e.values[i];
              if (!r1.empty()) v += r1[i];
              if (!r2.empty()) v += r2[i];
              e.values[i] = leaky(v * output_scale, output_slope);
            }
            return std::vector<Expected>{e};
          },
          cpu,
          kCudaBf16Gemm};
}

OpCase conv_transpose1d_case(Shape x_shape, int64_t cout, int64_t k, ConvTranspose1dOptions o, bool bias,
                             uint32_t seed) {
  const int64_t cin = x_shape[1];
  const std::string label = shape_to_string(x_shape) + " cout " + std::to_string(cout) + " k" + std::to_string(k) +
                            " s" + std::to_string(o.stride) + " p" + std::to_string(o.padding) + " op" +
                            std::to_string(o.output_padding) + " d" + std::to_string(o.dilation) + " g" +
                            std::to_string(o.groups) + (bias ? " +bias" : "");
  return {"conv_transpose1d",
          label,
          [=] {
            return Inputs{random_float(x_shape, seed), random_float({cin, cout / o.groups, k}, seed + 1),
                          bias ? random_float({cout}, seed + 2) : Tensor()};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{conv_transpose1d(t[0], t[1], t[2], o)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]), w = values_of(t[1]), b = values_of(t[2]);
            const int64_t n = x_shape[0], len = x_shape[2], cig = cin / o.groups, cog = cout / o.groups;
            const int64_t lout = (len - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + o.output_padding + 1;
            Expected e{{n, cout, lout}, DType::kF32, std::vector<double>(idx(n * cout * lout), 0.0)};
            for (int64_t ni = 0; ni < n; ++ni)
              for (int64_t oc = 0; oc < cout; ++oc)
                for (int64_t t2 = 0; t2 < lout; ++t2)
                  e.values[idx((ni * cout + oc) * lout + t2)] = b.empty() ? 0 : b[idx(oc)];
            for (int64_t ni = 0; ni < n; ++ni)
              for (int64_t ic = 0; ic < cin; ++ic) {
                const int64_t g = ic / cig;
                for (int64_t i = 0; i < len; ++i)
                  for (int64_t oc = 0; oc < cog; ++oc)
                    for (int64_t kk = 0; kk < k; ++kk) {
                      const int64_t pos = i * o.stride - o.padding + kk * o.dilation;
                      if (pos < 0 || pos >= lout) continue;
                      e.values[idx((ni * cout + g * cog + oc) * lout + pos)] +=
                          x[idx((ni * cin + ic) * len + i)] * w[idx((ic * cog + oc) * k + kk)];
                    }
              }
            return std::vector<Expected>{e};
          },
          kCpuGemm,
          kCudaBf16Gemm};
}

OpCase conv2d_case(Shape x_shape, int64_t cout, int64_t kh, int64_t kw, Conv2dOptions o, bool bias, uint32_t seed,
                   Threshold cuda = kCudaBf16Gemm) {
  const int64_t cin = x_shape[1];
  const std::string label = shape_to_string(x_shape) + " cout " + std::to_string(cout) + " k" + std::to_string(kh) +
                            "x" + std::to_string(kw) + " s" + std::to_string(o.stride_h) + "," +
                            std::to_string(o.stride_w) + " p" + std::to_string(o.padding_h) + "," +
                            std::to_string(o.padding_w) + " d" + std::to_string(o.dilation_h) + " g" +
                            std::to_string(o.groups) + (bias ? " +bias" : "");
  return {"conv2d",
          label,
          [=] {
            return Inputs{random_float(x_shape, seed), random_float({cout, cin / o.groups, kh, kw}, seed + 1),
                          bias ? random_float({cout}, seed + 2) : Tensor()};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{conv2d(t[0], t[1], t[2], o)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]), w = values_of(t[1]), b = values_of(t[2]);
            const int64_t n = x_shape[0], h = x_shape[2], wd = x_shape[3];
            const int64_t cig = cin / o.groups, cog = cout / o.groups;
            const int64_t oh = (h + 2 * o.padding_h - o.dilation_h * (kh - 1) - 1) / o.stride_h + 1;
            const int64_t ow = (wd + 2 * o.padding_w - o.dilation_w * (kw - 1) - 1) / o.stride_w + 1;
            Expected e{{n, cout, oh, ow}, DType::kF32, {}};
            for (int64_t ni = 0; ni < n; ++ni)
              for (int64_t oc = 0; oc < cout; ++oc)
                for (int64_t y = 0; y < oh; ++y)
                  for (int64_t xo = 0; xo < ow; ++xo) {
                    const int64_t g = oc / cog;
                    double acc = b.empty() ? 0.0 : b[idx(oc)];
                    for (int64_t ic = 0; ic < cig; ++ic)
                      for (int64_t a = 0; a < kh; ++a)
                        for (int64_t c = 0; c < kw; ++c) {
                          const int64_t iy = y * o.stride_h - o.padding_h + a * o.dilation_h;
                          const int64_t ix = xo * o.stride_w - o.padding_w + c * o.dilation_w;
                          if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                          acc += x[idx(((ni * cin + g * cig + ic) * h + iy) * wd + ix)] *
                                 w[idx(((oc * cig + ic) * kh + a) * kw + c)];
                        }
                    e.values.push_back(acc);
                  }
            return std::vector<Expected>{e};
          },
          kCpuGemm,
          cuda};
}

Conv1dOptions c1(int64_t stride, int64_t padding, int64_t dilation, int64_t groups) {
  Conv1dOptions o;
  o.stride = stride;
  o.padding = padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

ConvTranspose1dOptions ct1(int64_t stride, int64_t padding, int64_t output_padding, int64_t dilation, int64_t groups) {
  ConvTranspose1dOptions o;
  o.stride = stride;
  o.padding = padding;
  o.output_padding = output_padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

Conv2dOptions c2(int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dilation, int64_t groups) {
  Conv2dOptions o;
  o.stride_h = sh;
  o.stride_w = sw;
  o.padding_h = ph;
  o.padding_w = pw;
  o.dilation_h = o.dilation_w = dilation;
  o.groups = groups;
  return o;
}

}  // namespace

std::vector<OpCase> gemm_conv_cases() {
  const double nan = std::nan("");
  return {
      linear_case({2, 7, 33}, 17, true, DType::kF32, 100),
      linear_case({1, 5, 64}, 96, false, DType::kF32, 110),
      linear_case({3, 31}, 9, true, DType::kBF16, 120),  // bf16 weight converted to f32 first
      linear_case({2, 1, 5}, 3, true, DType::kF16, 130),
      matmul_case({2, 3, 13, 40}, {2, 3, 40, 19}, false, 200),
      matmul_case({2, 3, 13, 40}, {2, 3, 19, 40}, true, 210),
      matmul_case({2, 5, 7, 11}, {11, 6}, false, 220),        // plain 2-D b
      matmul_case({1, 4, 9, 16}, {3, 1, 16, 5}, false, 230),  // batch dims broadcast both ways
      matmul_case({7, 33}, {1, 29, 33}, true, 240),
      conv1d_case({2, 5, 37}, 7, 3, c1(1, 1, 1, 1), true, 300),
      conv1d_case({1, 6, 41}, 4, 5, c1(2, 2, 1, 1), true, 310),                   // stride
      conv1d_case({2, 4, 40}, 6, 3, c1(1, 3, 3, 1), false, 320),                  // dilation
      conv1d_case({2, 6, 29}, 9, 4, c1(3, 0, 2, 3), true, 330),                   // groups, stride, dilation, even K
      conv1d_case({1, 8, 23}, 8, 7, c1(1, 3, 1, 8), true, 340),                   // depthwise
      conv1d_case({2, 64, 75}, 64, 3, c1(1, 1, 1, 1), true, 350, kCpuWinograd),   // the CPU's Winograd path
      conv1d_case({1, 64, 100}, 64, 7, c1(1, 9, 3, 1), true, 360, kCpuWinograd),  // Winograd, dilated
      conv1d_fused_case({2, 5, 33}, 7, 3, c1(1, 1, 1, 1), 0.1, 1, 1.0, nan, 400, kCpuGemm),
      conv1d_fused_case({1, 6, 31}, 6, 5, c1(1, 6, 3, 1), 0.2, 2, 0.5, 0.1, 410, kCpuGemm),
      conv1d_fused_case({2, 4, 19}, 3, 7, c1(1, 3, 1, 1), nan, 0, 1.0, nan, 420, kCpuGemm),  // nothing fused
      conv1d_fused_case({2, 64, 70}, 64, 3, c1(1, 1, 1, 1), 0.1, 1, 1.0, nan, 430, kCpuWinograd),
      conv1d_fused_case({1, 64, 90}, 64, 5, c1(1, 10, 5, 1), 0.1, 2, 1.0 / 3.0, 0.01, 440, kCpuWinograd),
      conv_transpose1d_case({2, 5, 17}, 3, 4, ct1(2, 1, 0, 1, 1), true, 500),
      conv_transpose1d_case({1, 6, 13}, 4, 7, ct1(3, 2, 1, 1, 1), true, 510),   // output padding
      conv_transpose1d_case({2, 4, 11}, 6, 3, ct1(2, 0, 1, 2, 2), false, 520),  // dilation, groups
      conv_transpose1d_case({1, 8, 21}, 4, 16, ct1(8, 4, 0, 1, 1), true, 530),  // HiFi-GAN x8 upsampler shape
      conv2d_case({2, 3, 9, 11}, 5, 3, 3, c2(1, 1, 1, 1, 1, 1), true, 600),
      conv2d_case({1, 4, 13, 10}, 6, 3, 3, c2(2, 2, 0, 1, 1, 1), true, 610),  // stride 2 (the downsamplers)
      conv2d_case({2, 5, 8, 7}, 4, 1, 1, c2(1, 1, 0, 0, 1, 1), false, 620),   // 1x1
      conv2d_case({1, 3, 12, 9}, 2, 3, 2, c2(2, 1, 2, 1, 2, 1), true, 630),   // rectangular kernel, dilation
      conv2d_case({1, 4, 7, 9}, 6, 3, 3, c2(1, 1, 1, 1, 1, 2), true, 640,
                  {1e-4, "grouped conv2d: bf16 GEMM per group like the ungrouped path"}),
  };
}

}  // namespace foley::tensor::op_table
