// Convolutions on CUDA (see ops.h), all on cuBLASLt: conv2d as im2col + GEMM per
// image in column chunks; conv1d as a height-1 conv2d; conv_transpose1d as one
// GEMM over every input sample followed by a col2im that sums the taps.
#include <algorithm>
#include <cmath>

#include "kernels/conv1d.h"
#include "kernels/vae_decode.h"
#include "tensor/cuda/gemm.h"
#include "tensor/cuda/op_util.h"
#include "tensor/cuda/ops.h"

namespace foley::tensor::cuda {
namespace {

using detail::fail;

// Bound on the column buffer of one im2col chunk (the 150 s VAE decode's last
// 3x3 convs would otherwise need gigabytes).
constexpr int64_t kMaxColumnBytes = int64_t(256) << 20;

Tensor conv2d_impl(const char* op, const Tensor& x_in, int64_t virt_h, int64_t virt_w, const Tensor& weight_in,
                   const Tensor& bias_in, const Conv2dOptions& o) {
  const Device device = detail::require_cuda(op, {&x_in, &weight_in, &bias_in});
  if (x_in.dim() != 4 || weight_in.dim() != 4)
    fail(op, "expected x [N, C, H, W] and weight [O, C, KH, KW], got " + x_in.to_string() + " and " +
                 weight_in.to_string());
  if (o.groups != 1) fail(op, "grouped conv2d (groups = " + std::to_string(o.groups) + ") is not implemented on CUDA");
  const int64_t n = x_in.size(0), c = x_in.size(1), in_h = x_in.size(2), in_w = x_in.size(3);
  const int64_t c_out = weight_in.size(0), kh = weight_in.size(2), kw = weight_in.size(3);
  if (weight_in.size(1) != c) fail(op, "weight " + weight_in.to_string() + " does not match input " + x_in.to_string());
  detail::require_numel(op, "bias", bias_in, c_out);
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1 || o.padding_h < 0 || o.padding_w < 0)
    fail(op, "invalid stride/padding/dilation");
  const int64_t out_h = (virt_h + 2 * o.padding_h - o.dilation_h * (kh - 1) - 1) / o.stride_h + 1;
  const int64_t out_w = (virt_w + 2 * o.padding_w - o.dilation_w * (kw - 1) - 1) / o.stride_w + 1;
  if (out_h <= 0 || out_w <= 0) fail(op, "input " + x_in.to_string() + " is smaller than the kernel");
  const Tensor x = detail::f32(x_in);
  const DType mt = matmul_dtype();
  const Tensor weight = to_dtype(weight_in, mt);
  Tensor y = empty({n, c_out, out_h, out_w}, DType::kF32, device);
  const int64_t k = c * kh * kw, pixels = out_h * out_w;
  const int64_t chunk = std::clamp<int64_t>(kMaxColumnBytes / std::max<int64_t>(1, k * 2), 1, pixels);
  Tensor col = empty({k * chunk}, mt, device);
  const cudaStream_t stream = current_stream();
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t col0 = 0; col0 < pixels; col0 += chunk) {
      const int64_t cols = std::min(chunk, pixels - col0);
      kernels::Im2colParams p;
      p.x = f32_ptr(x) + img * c * in_h * in_w;
      p.col = device_ptr(col);
      p.col_elem = elem_of(mt);
      p.channels = c;
      p.in_h = in_h;
      p.in_w = in_w;
      p.virt_h = virt_h;
      p.virt_w = virt_w;
      p.kh = static_cast<int>(kh);
      p.kw = static_cast<int>(kw);
      p.stride_h = static_cast<int>(o.stride_h);
      p.stride_w = static_cast<int>(o.stride_w);
      p.pad_h = static_cast<int>(o.padding_h);
      p.pad_w = static_cast<int>(o.padding_w);
      p.dil_h = static_cast<int>(o.dilation_h);
      p.dil_w = static_cast<int>(o.dilation_w);
      p.out_h = out_h;
      p.out_w = out_w;
      p.col0 = col0;
      p.cols = cols;
      detail::launch(kernels::im2col_upsample(p, stream), op);
      GemmArgs g;
      g.a = device_ptr(weight);  // [c_out, k]
      g.b = device_ptr(col);     // [k, cols]
      g.c = f32_mut(y) + img * c_out * pixels + col0;
      g.elem = elem_of(mt);
      g.m = c_out;
      g.n = cols;
      g.k = k;
      g.lda = k;
      g.ldb = cols;
      g.ldc = pixels;
      gemm(g, stream);
    }
  }
  if (bias_in.defined()) {
    const Tensor b = detail::f32(bias_in);
    detail::launch(kernels::add_channel_bias_f32(f32_mut(y), f32_ptr(b), n, c_out, pixels, stream), op);
  }
  return y;
}

void check_conv1d(const char* op, const Tensor& x, const Tensor& weight, int64_t weight_in_channels,
                  int64_t groups) {
  if (x.dim() != 3 || weight.dim() != 3)
    fail(op, "expected x [N, C, L] and a 3-D weight, got " + x.to_string() + " and " + weight.to_string());
  if (groups < 1 || x.size(1) % groups != 0) fail(op, "groups " + std::to_string(groups) + " do not divide the input channels");
  if (weight_in_channels != x.size(1))
    fail(op, "weight " + weight.to_string() + " does not match input " + x.to_string());
}

// conv1d as a height-1 conv2d: im2col + one cuBLASLt GEMM per column chunk (groups one after another).
Tensor conv1d_gemm(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& o) {
  detail::require_cuda(op, {&x, &weight, &bias});
  check_conv1d(op, x, weight, x.dim() == 3 && weight.dim() == 3 ? weight.size(1) * o.groups : -1, o.groups);
  if (weight.size(0) % o.groups != 0) fail(op, "groups do not divide the output channels");
  if (o.stride < 1 || o.dilation < 1 || o.padding < 0) fail(op, "invalid stride/padding/dilation");
  Conv2dOptions o2;
  o2.stride_w = o.stride;
  o2.padding_w = o.padding;
  o2.dilation_w = o.dilation;
  o2.groups = o.groups;
  return cuda::conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, o2).squeeze(2);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  if (x.dim() != 4 || weight.dim() != 4)
    detail::fail("conv2d", "expected x [N, C, H, W] and weight [O, C/groups, KH, KW], got " + x.to_string() + " and " +
                               weight.to_string());
  if (options.groups == 1) return conv2d_impl("conv2d", x, x.size(2), x.size(3), weight, bias, options);
  // Grouped: one GEMM convolution per group, concatenated along the channels.
  const int64_t g = options.groups;
  if (g < 1 || x.size(1) % g != 0 || weight.size(0) % g != 0 || weight.size(1) * g != x.size(1))
    detail::fail("conv2d", std::to_string(g) + " groups do not fit input " + x.to_string() + " and weight " +
                               weight.to_string());
  const int64_t cin = x.size(1) / g, cout = weight.size(0) / g;
  Conv2dOptions one = options;
  one.groups = 1;
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < g; ++i)
    parts.push_back(conv2d_impl("conv2d", x.narrow(1, i * cin, cin), x.size(2), x.size(3),
                                weight.narrow(0, i * cout, cout), bias.defined() ? bias.narrow(0, i * cout, cout) : bias,
                                one));
  return cuda::cat(parts, 1);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options) {
  return conv1d_gemm("conv1d", x, weight, bias, options);
}

Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                    const Conv1dFusion& fusion) {
  // On the GPU the convolution is a GEMM; the activations and residuals around it are elementwise passes.
  Tensor y = conv1d_gemm("conv1d_fused", std::isnan(fusion.input_slope) ? x : cuda::leaky_relu(x, fusion.input_slope),
                         weight, bias, options);
  for (const Tensor* r : {&fusion.residual, &fusion.residual2}) {
    if (!r->defined()) continue;
    if (r->shape() != y.shape())
      fail("conv1d_fused", "residual " + r->to_string() + " does not match the output shape " + shape_to_string(y.shape()));
    y = cuda::add(y, *r);
  }
  if (fusion.output_scale != 1.0) y = cuda::scale(y, fusion.output_scale);
  if (!std::isnan(fusion.output_slope)) y = cuda::leaky_relu(y, fusion.output_slope);
  return y;
}

Tensor conv_transpose1d(const Tensor& x_in, const Tensor& weight, const Tensor& bias_in,
                        const ConvTranspose1dOptions& o) {
  const char* op = "conv_transpose1d";
  const Device device = detail::require_cuda(op, {&x_in, &weight, &bias_in});
  check_conv1d(op, x_in, weight, x_in.dim() == 3 && weight.dim() == 3 ? weight.size(0) : -1, o.groups);
  const int64_t n = x_in.size(0), l_in = x_in.size(2), c_out = weight.size(1) * o.groups, k = weight.size(2);
  if (o.stride < 1 || o.dilation < 1 || o.padding < 0 || o.output_padding < 0)
    fail(op, "invalid stride/padding/dilation");
  const int64_t l_out = (l_in - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + o.output_padding + 1;
  if (l_out <= 0) fail(op, "output length would be " + std::to_string(l_out));
  detail::require_numel(op, "bias", bias_in, c_out);
  if (o.groups != 1) {
    const int64_t g = o.groups, cin = x_in.size(1) / g, cout = c_out / g;
    ConvTranspose1dOptions one = o;
    one.groups = 1;
    std::vector<Tensor> parts;
    for (int64_t i = 0; i < g; ++i)
      parts.push_back(cuda::conv_transpose1d(x_in.narrow(1, i * cin, cin), weight.narrow(0, i * cin, cin),
                                             bias_in.defined() ? bias_in.narrow(0, i * cout, cout) : bias_in, one));
    return cuda::cat(parts, 1);
  }
  // Every input sample's contribution to every (output channel, tap) in one GEMM:
  // cols [n * l_in, c_out * k] = x^T [n * l_in, c_in] @ weight [c_in, c_out * k]; then col2im sums the taps.
  const int64_t c_in = x_in.size(1);
  const Tensor xt = detail::f32(x_in).permute({0, 2, 1}).reshape({n * l_in, c_in});
  const Tensor cols = cuda::matmul(xt, weight.reshape({c_in, c_out * k}), false);
  const Tensor bias = detail::f32(bias_in);
  Tensor y = empty({n, c_out, l_out}, DType::kF32, device);
  kernels::Col2im1dParams p;
  p.cols = f32_ptr(cols);
  p.bias = bias.defined() ? f32_ptr(bias) : nullptr;
  p.y = f32_mut(y);
  p.n = n;
  p.c_out = c_out;
  p.l_in = l_in;
  p.l_out = l_out;
  p.k = static_cast<int>(k);
  p.stride = static_cast<int>(o.stride);
  p.padding = static_cast<int>(o.padding);
  p.dilation = static_cast<int>(o.dilation);
  detail::launch(kernels::col2im_1d(p, current_stream()), op);
  return y;
}

}  // namespace foley::tensor::cuda
