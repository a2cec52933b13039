// conv1d_fused (tensor/ops.h): the 1-D Winograd path with its prologue/epilogue where it applies, then oneDNN's
// tiled direct path for long rows with the same prologue/epilogue folded into its tile copies, the plain
// composition of ops everywhere else (the last two bit-identical to composing them by hand).
#include <cmath>
#include <string>

#include "tensor/cpu/common.h"
#include "tensor/cpu/conv_narrow1d.h"
#include "tensor/cpu/conv_winograd1d.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

void check_residual(const char* what, const Tensor& r, const Shape& out_shape) {
  if (r.defined() && r.shape() != out_shape)
    cpu::fail("conv1d_fused", std::string(what) + " " + r.to_string() + " does not match the output shape");
}

}  // namespace


Conv1dEpilogue conv1d_epilogue(const Conv1dFusion& fusion, const Tensor& residual_f32, const Tensor& residual2_f32) {
  Conv1dEpilogue ep;
  ep.has_input_slope = !std::isnan(fusion.input_slope);
  ep.input_slope = static_cast<float>(fusion.input_slope);
  ep.residual = residual_f32.defined() ? residual_f32.data<float>() : nullptr;
  ep.residual2 = residual2_f32.defined() ? residual2_f32.data<float>() : nullptr;
  ep.has_scale = fusion.output_scale != 1.0;
  ep.scale = static_cast<float>(fusion.output_scale);
  ep.has_output_slope = !std::isnan(fusion.output_slope);
  ep.output_slope = static_cast<float>(fusion.output_slope);
  return ep;
}


Tensor conv1d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                    const Conv1dFusion& fusion) {
  cpu::require_cpu("conv1d_fused", {&x, &weight, &bias, &fusion.residual, &fusion.residual2});
  const bool in_act = !std::isnan(fusion.input_slope), out_act = !std::isnan(fusion.output_slope);
  const bool scaled = fusion.output_scale != 1.0;
  if (x.dim() == 3 && weight.dim() == 3) {
    const int64_t k = weight.size(2);
    const Shape out_shape{x.size(0), weight.size(0), x.size(2) + 2 * options.padding - options.dilation * (k - 1)};
    check_residual("residual", fusion.residual, out_shape);
    check_residual("residual2", fusion.residual2, out_shape);
    const Tensor r1 = cpu::as_f32(fusion.residual), r2 = cpu::as_f32(fusion.residual2);
    const cpu::Conv1dEpilogue ep = cpu::conv1d_epilogue(fusion, r1, r2);
    Tensor y = cpu::winograd_conv1d_if_wanted(x, weight, bias, options.stride, options.padding, options.dilation,
                                              options.groups, ep);
    if (y.defined()) return y;
    y = cpu::narrow_conv1d_if_wanted(x, weight, bias, options, ep);
    if (y.defined()) return y;
    y = cpu::direct_conv1d_tiled_if_wanted(x, weight, bias, options, ep);
    if (y.defined()) return y;
  }
  Tensor y = cpu::conv1d(in_act ? cpu::leaky_relu(x, fusion.input_slope) : x, weight, bias, options);
  if (fusion.residual.defined()) y = cpu::add(y, fusion.residual);
  if (fusion.residual2.defined()) y = cpu::add(y, fusion.residual2);
  if (scaled) y = cpu::scale(y, fusion.output_scale);
  if (out_act) y = cpu::leaky_relu(y, fusion.output_slope);
  return y;
}

}  // namespace foley::tensor::cpu
