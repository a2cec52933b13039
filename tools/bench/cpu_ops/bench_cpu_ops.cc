// bench_cpu_ops: measures the GEMM libraries and convolution strategies on the
// shapes AudioLDM 2 runs (T5, GPT-2, UNet, VAE, HiFi-GAN) and prints GFLOP/s
// side by side; then foley's linear and 1x1 convolution, whose rows are padded
// (tensor/cpu/gemm.h padded_row_stride), against the same products on unpadded
// rows. Usage: bench_cpu_ops [--threads N] [--quick]
// Each figure is the best of several timed runs after a warm-up.
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <string>
#include <vector>

#include "tensor/cpu/gemm.h"
#include "tensor/ops.h"

using namespace foley::tensor;

namespace {

double best_seconds(const std::function<void()>& fn, double min_total = 0.4) {
  fn();  // warm-up
  double best = 1e30, total = 0;
  int runs = 0;
  while (runs < 3 || (total < min_total && runs < 50)) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s);
    total += s;
    ++runs;
  }
  return best;
}

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

struct GemmShape {
  const char* what;
  int64_t m, n, k;
  bool transpose_b;  // B stored [N, K] (a linear layer's weight)
};

void bench_gemm(const GemmShape& s) {
  const auto a = random_values(static_cast<size_t>(s.m * s.k), 1);
  const auto b = random_values(static_cast<size_t>(s.k * s.n), 2);
  std::vector<float> c(static_cast<size_t>(s.m * s.n));
  const double flops = 2.0 * s.m * s.n * s.k;
  const int64_t ldb = s.transpose_b ? s.k : s.n;
  const double t_blas = best_seconds([&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, s.transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(s.m),
                static_cast<int>(s.n), static_cast<int>(s.k), 1.0f, a.data(), static_cast<int>(s.k), b.data(),
                static_cast<int>(ldb), 0.0f, c.data(), static_cast<int>(s.n));
  });
  const double t_dnnl = best_seconds([&] {
    dnnl_sgemm('N', s.transpose_b ? 'T' : 'N', s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), ldb, 0.0f, c.data(), s.n);
  });
  std::printf("| %-44s | %5lld x %6lld x %5lld | %8.1f | %8.1f | %5.2fx |\n", s.what, static_cast<long long>(s.m),
              static_cast<long long>(s.n), static_cast<long long>(s.k), flops / t_blas * 1e-9, flops / t_dnnl * 1e-9,
              t_blas / t_dnnl);
}

struct ConvShape {
  const char* what;
  int64_t n, c_in, h, w, c_out, kh, kw, stride, pad_h, pad_w, dilation_w;
};

// oneDNN's own convolution: nchw in and out (as our tensors are), blocked
// layouts chosen by the library, weights reordered once, activations reordered
// on every call (that cost is part of using it from nchw code).
double onednn_conv_seconds(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& w,
                           const std::vector<float>& b, std::vector<float>& y, int64_t oh, int64_t ow) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::dims src_dims = {s.n, s.c_in, s.h, s.w}, w_dims = {s.c_out, s.c_in, s.kh, s.kw}, b_dims = {s.c_out},
                     dst_dims = {s.n, s.c_out, oh, ow};
  const memory::desc src_any(src_dims, dt::f32, tag::any), w_any(w_dims, dt::f32, tag::any),
      dst_any(dst_dims, dt::f32, tag::any), b_md(b_dims, dt::f32, tag::x);
  const convolution_forward::desc desc(prop_kind::forward_inference, algorithm::convolution_direct, src_any, w_any,
                                       b_md, dst_any, {s.stride, s.stride}, {0, s.dilation_w - 1},
                                       {s.pad_h, s.pad_w}, {s.pad_h, s.pad_w});
  const convolution_forward::primitive_desc pd(desc, eng);
  memory user_src({src_dims, dt::f32, tag::nchw}, eng, const_cast<float*>(x.data()));
  memory user_w({w_dims, dt::f32, tag::oihw}, eng, const_cast<float*>(w.data()));
  memory user_b(b_md, eng, const_cast<float*>(b.data()));
  memory user_dst({dst_dims, dt::f32, tag::nchw}, eng, y.data());
  memory conv_src(pd.src_desc(), eng), conv_w(pd.weights_desc(), eng), conv_dst(pd.dst_desc(), eng);
  reorder(user_w, conv_w).execute(strm, user_w, conv_w);
  convolution_forward conv(pd);
  reorder to_conv(user_src, conv_src), from_conv(conv_dst, user_dst);
  strm.wait();
  return best_seconds([&] {
    to_conv.execute(strm, user_src, conv_src);
    conv.execute(strm, {{DNNL_ARG_SRC, conv_src}, {DNNL_ARG_WEIGHTS, conv_w}, {DNNL_ARG_BIAS, user_b},
                        {DNNL_ARG_DST, conv_dst}});
    from_conv.execute(strm, conv_dst, user_dst);
    strm.wait();
  });
}

void bench_conv(const ConvShape& s) {
  const auto xv = random_values(static_cast<size_t>(s.n * s.c_in * s.h * s.w), 3);
  const auto wv = random_values(static_cast<size_t>(s.c_out * s.c_in * s.kh * s.kw), 4);
  const auto bv = random_values(static_cast<size_t>(s.c_out), 5);
  const Tensor x = Tensor::from_vector(xv, {s.n, s.c_in, s.h, s.w});
  const Tensor w = Tensor::from_vector(wv, {s.c_out, s.c_in, s.kh, s.kw});
  const Tensor b = Tensor::from_vector(bv, {s.c_out});
  Conv2dOptions o = Conv2dOptions::make(s.stride, 0);
  o.padding_h = s.pad_h;
  o.padding_w = s.pad_w;
  o.dilation_w = s.dilation_w;
  Tensor y;
  const cpu::GemmBackend saved = cpu::gemm_backend();
  cpu::set_gemm_backend(cpu::GemmBackend::kOpenBlas);
  const double t_blas = best_seconds([&] { y = conv2d(x, w, b, o); });
  cpu::set_gemm_backend(cpu::GemmBackend::kOneDnn);
  const double t_gemm = best_seconds([&] { y = conv2d(x, w, b, o); });
  cpu::set_gemm_backend(saved);
  const int64_t oh = y.size(2), ow = y.size(3);
  std::vector<float> direct(static_cast<size_t>(y.numel()));
  const double t_direct = onednn_conv_seconds(s, xv, wv, bv, direct, oh, ow);
  // The two must agree (sanity check of the comparison itself).
  const auto ref = y.to_vector_f32();
  double max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) max_err = std::max(max_err, static_cast<double>(std::fabs(ref[i] - direct[i])));
  const double flops = 2.0 * s.n * s.c_out * oh * ow * s.c_in * s.kh * s.kw;
  std::printf("| %-44s | %8.1f | %8.1f | %8.1f | %.1e |\n", s.what, flops / t_blas * 1e-9, flops / t_gemm * 1e-9,
              flops / t_direct * 1e-9, max_err);
}

// A linear layer through foley (tensor::linear: from 128 rows a packed weight copy with padded rows) against a
// oneDNN matmul reading its weights in the layout oneDNN picks itself (format_tag::any: plain [k, n], rows n
// floats apart), reordered once: what foley ran before the padding.
void bench_padded_linear(const char* what, int64_t rows, int64_t k, int64_t n) {
  using namespace dnnl;
  using dt = memory::data_type;
  const auto xv = random_values(static_cast<size_t>(rows * k), 6);
  const auto wv = random_values(static_cast<size_t>(n * k), 7);
  const Tensor x = Tensor::from_vector(xv, {rows, k});
  const Tensor w = Tensor::from_vector(wv, {n, k});
  Tensor y;
  const double t_foley = best_seconds([&] { y = linear(x, w); });
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::desc src({rows, k}, dt::f32, memory::format_tag::ab), dst({rows, n}, dt::f32, memory::format_tag::ab);
  const memory::desc user_w({k, n}, dt::f32, memory::format_tag::ba);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, memory::desc({k, n}, dt::f32, memory::format_tag::any), dst), eng);
  memory w_user(user_w, eng, const_cast<float*>(wv.data())), w_lib(pd.weights_desc(), eng);
  reorder(w_user, w_lib).execute(strm, w_user, w_lib);
  std::vector<float> out(static_cast<size_t>(rows * n));
  memory m_src(src, eng, const_cast<float*>(xv.data())), m_dst(dst, eng, out.data());
  const dnnl::matmul mm(pd);
  const double t_lib = best_seconds([&] {
    mm.execute(strm, {{DNNL_ARG_SRC, m_src}, {DNNL_ARG_WEIGHTS, w_lib}, {DNNL_ARG_DST, m_dst}});
    strm.wait();
  });
  const auto ref = y.to_vector_f32();
  double max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) max_err = std::max(max_err, static_cast<double>(std::fabs(ref[i] - out[i])));
  const double flops = 2.0 * rows * k * n;
  std::printf("| %-44s | %8.1f | %8.1f | %5.2fx | %.1e |\n", what, flops / t_lib * 1e-9, flops / t_foley * 1e-9,
              t_lib / t_foley, max_err);
}

// A 1x1 convolution with bias through foley (conv2d: planes of a multiple of 512 pixels go through padded copies)
// against what foley ran before the padding: the output filled with the bias, then one dnnl_sgemm per image
// adding the product to it (beta 1), on the planes where they lie.
void bench_padded_pointwise(const char* what, int64_t batch, int64_t c_in, int64_t h, int64_t w, int64_t c_out) {
  const int64_t plane = h * w;
  const auto xv = random_values(static_cast<size_t>(batch * c_in * plane), 8);
  const auto wv = random_values(static_cast<size_t>(c_out * c_in), 9);
  const Tensor x = Tensor::from_vector(xv, {batch, c_in, h, w});
  const Tensor wt = Tensor::from_vector(wv, {c_out, c_in, 1, 1});
  const auto bv = random_values(static_cast<size_t>(c_out), 10);
  const Tensor b = Tensor::from_vector(bv, {c_out});
  Tensor y;
  const double t_foley = best_seconds([&] { y = conv2d(x, wt, b, Conv2dOptions{}); });
  std::vector<float> out(static_cast<size_t>(batch * c_out * plane));
  const double t_plain = best_seconds([&] {
    for (int64_t i = 0; i < batch; ++i) {
      float* result = out.data() + i * c_out * plane;
      for (int64_t c = 0; c < c_out; ++c) std::fill(result + c * plane, result + (c + 1) * plane, bv[c]);
      dnnl_sgemm('N', 'N', c_out, plane, c_in, 1.0f, wv.data(), c_in, xv.data() + i * c_in * plane, plane, 1.0f,
                 result, plane);
    }
  });
  const auto ref = y.to_vector_f32();
  double max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) max_err = std::max(max_err, static_cast<double>(std::fabs(ref[i] - out[i])));
  const double flops = 2.0 * batch * c_out * c_in * plane;
  std::printf("| %-44s | %8.1f | %8.1f | %5.2fx | %.1e |\n", what, flops / t_plain * 1e-9, flops / t_foley * 1e-9,
              t_plain / t_foley, max_err);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    if (!std::strcmp(argv[i], "--quick")) quick = true;
  }
  set_num_threads(threads);
  std::printf("bench_cpu_ops: %d thread(s); GFLOP/s, best of >= 3 runs\n\n", num_threads());
  std::printf("| GEMM (row-major C = A op(B))                 | M x N x K                | OpenBLAS |   oneDNN | oneDNN/OpenBLAS |\n");
  std::printf("|---|---|---|---|---|\n");
  const std::vector<GemmShape> gemms = {
      {"T5-large q/k/v/o, 32 tokens", 32, 1024, 1024, true},
      {"T5-large wi_0/wi_1, 32 tokens", 32, 2816, 1024, true},
      {"T5-large wo, 32 tokens", 32, 1024, 2816, true},
      {"GPT-2 c_attn, 40-token prompt", 40, 2304, 768, true},
      {"GPT-2 c_fc, 1 token (KV-cached step)", 1, 3072, 768, true},
      {"UNet attn q k^T, 256 ch (1024 tok, d 32)", 1024, 1024, 32, true},
      {"UNet attn p v, 256 ch", 1024, 32, 1024, false},
      {"UNet to_q, 256 ch, 1024 tokens", 1024, 256, 256, true},
      {"UNet GEGLU proj, 256 ch, 1024 tokens", 1024, 2048, 256, true},
      {"UNet 3x3 conv 128->128 @256x16 (im2col)", 128, 4096, 1152, false},
      {"UNet 3x3 conv 640->640 @32x2 (im2col)", 640, 64, 5760, false},
      {"VAE 3x3 conv 512->512 @256x16 (im2col)", 512, 4096, 4608, false},
      {"VAE attention q k^T (4096 tok, d 512)", 1024, 4096, 512, true},
      {"HiFi-GAN resblock k3 512 ch, 5121 samples", 512, 5121, 1536, false},
      {"HiFi-GAN resblock k11 32 ch, 20000-sample band", 32, 20000, 352, false},
      {"square 2048^3", 2048, 2048, 2048, false},
  };
  for (const GemmShape& s : gemms) bench_gemm(s);

  std::printf("\n| Convolution (N C H W -> C_out, k, stride)    | im2col+OpenBLAS | im2col+oneDNN sgemm | oneDNN direct (nchw in/out) | max diff |\n");
  std::printf("|---|---|---|---|---|\n");
  std::vector<ConvShape> convs = {
      {"UNet conv 2x128x256x16 -> 128, 3x3", 2, 128, 256, 16, 128, 3, 3, 1, 1, 1, 1},
      {"UNet conv 2x256x128x8 -> 256, 3x3", 2, 256, 128, 8, 256, 3, 3, 1, 1, 1, 1},
      {"UNet conv 2x640x32x2 -> 640, 3x3", 2, 640, 32, 2, 640, 3, 3, 1, 1, 1, 1},
      {"UNet downsample 2x128x256x16, 3x3 s2", 2, 128, 256, 16, 128, 3, 3, 2, 1, 1, 1},
      {"UNet proj_in 1x1 2x256x128x8", 2, 256, 128, 8, 256, 1, 1, 1, 0, 0, 1},
      {"VAE conv 1x512x256x16 -> 512, 3x3", 1, 512, 256, 16, 512, 3, 3, 1, 1, 1, 1},
      {"VAE conv 1x128x1024x64 -> 128, 3x3", 1, 128, 1024, 64, 128, 3, 3, 1, 1, 1, 1},
      {"HiFi-GAN conv 512ch k3 d3, 5121 samples", 1, 512, 1, 5121, 512, 1, 3, 1, 0, 3, 3},
      {"HiFi-GAN conv 32ch k11 d5, 163872 samples", 1, 32, 1, 163872, 32, 1, 11, 1, 0, 25, 5},
  };
  if (quick) convs.resize(3);
  for (const ConvShape& s : convs) bench_conv(s);

  std::printf("\n| rows 2-4 KiB apart, unpadded against foley (padded) | unpadded | foley | speed-up | max |diff| |\n");
  std::printf("|---|---|---|---|---|\n");
  bench_padded_linear("UNet FF proj, 640 ch, 128 tokens (n 5120)", 128, 640, 5120);
  bench_padded_linear("UNet FF proj, 384 ch, 512 tokens (n 3072)", 512, 384, 3072);
  bench_padded_linear("UNet FF proj, 256 ch, 2048 tokens (n 2048)", 2048, 256, 2048);
  bench_padded_linear("UNet FF out, 1024 -> 256, 2048 tokens", 2048, 1024, 256);
  bench_padded_linear("UNet to_q, 640 ch, 128 tokens", 128, 640, 640);
  bench_padded_pointwise("UNet proj_in 1x1, 2x256x128x8", 2, 256, 128, 8, 256);
  bench_padded_pointwise("UNet shortcut 1x1, 2x256x256x16 -> 128", 2, 256, 256, 16, 128);
  bench_padded_pointwise("UNet proj_in 1x1, 2x384x64x4 (not padded)", 2, 384, 64, 4, 384);
  return 0;
}
