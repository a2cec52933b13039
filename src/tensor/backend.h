#pragma once

// The op contract as one table that each backend fills: the CPU (tensor/cpu/),
// CUDA (tensor/cuda/, kernels/) and, in a build without CUDA, a "not built"
// table whose every entry says so. tensor/ops.h and the Tensor methods that
// copy data look the table up by the device of their inputs; model code never
// sees a backend. Ops that are compositions of others (stack, chunk,
// embedding) are written once in tensor/ops.cc and have no entry.
//
// Every entry follows the contract written in tensor/ops.h; the memory entries:
// - allocate: `bytes` uninitialised bytes on the device (stream-ordered on CUDA);
// - upload / download: a copy of a CPU tensor on the device / of a device
//   tensor on the CPU (the CPU backend never gets these calls);
// - convert: the tensor in another dtype on its device (any dtype pair);
// - gather_strided: a dense tensor of `shape` whose element i is read from
//   `src` at element offset `offset` + sum(index_d * strides[d]): permutes,
//   non-contiguous narrows, strided slices;
// - fill: a tensor of `shape` with every element `value`.

#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace foley::tensor {

struct Backend {
  const char* name;

  // --- memory and layout ---------------------------------------------------------
  std::shared_ptr<Storage> (*allocate)(size_t bytes, Device device);
  Tensor (*upload)(const Tensor& host, Device device);
  Tensor (*download)(const Tensor& t);
  Tensor (*convert)(const Tensor& t, DType dtype);
  Tensor (*gather_strided)(const Tensor& src, int64_t offset, const Shape& shape, const std::vector<int64_t>& strides);
  Tensor (*fill)(const Shape& shape, double value, DType dtype, Device device);

  // --- GEMM-based ------------------------------------------------------------------
  Tensor (*linear)(const Tensor& x, const Tensor& weight, const Tensor& bias);
  Tensor (*matmul)(const Tensor& a, const Tensor& b, bool transpose_b);
  Tensor (*conv1d)(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options);
  Tensor (*conv1d_fused)(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& options,
                         const Conv1dFusion& fusion);
  Tensor (*conv_transpose1d)(const Tensor& x, const Tensor& weight, const Tensor& bias,
                             const ConvTranspose1dOptions& options);
  Tensor (*conv2d)(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options);

  // --- normalisation -----------------------------------------------------------------
  Tensor (*group_norm)(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);
  Tensor (*group_norm_silu)(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                            double eps);
  Tensor (*layer_norm)(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);
  Tensor (*rms_norm)(const Tensor& x, const Tensor& weight, double eps);
  Tensor (*l2_normalize)(const Tensor& x, int64_t dim, double eps);

  // --- attention -----------------------------------------------------------------------
  Tensor (*attention)(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);
  Tensor (*attention_heads)(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads,
                            const AttentionOptions& options);
  Tensor (*softmax)(const Tensor& x, int64_t dim);

  // --- activations -----------------------------------------------------------------------
  Tensor (*gelu)(const Tensor& x, GeluApproximation approximation);
  Tensor (*silu)(const Tensor& x);
  Tensor (*relu)(const Tensor& x);
  Tensor (*leaky_relu)(const Tensor& x, double negative_slope);
  Tensor (*tanh)(const Tensor& x);
  Tensor (*sigmoid)(const Tensor& x);
  Tensor (*exp)(const Tensor& x);
  Tensor (*sqrt)(const Tensor& x);
  Tensor (*geglu)(const Tensor& x);

  // --- arithmetic ----------------------------------------------------------------------------
  Tensor (*add)(const Tensor& a, const Tensor& b);
  Tensor (*sub)(const Tensor& a, const Tensor& b);
  Tensor (*mul)(const Tensor& a, const Tensor& b);
  Tensor (*div)(const Tensor& a, const Tensor& b);
  Tensor (*scale)(const Tensor& x, double s);
  Tensor (*add_scalar)(const Tensor& x, double s);

  // --- reductions -------------------------------------------------------------------------------
  Tensor (*sum)(const Tensor& x, int64_t dim, bool keepdim);
  Tensor (*mean)(const Tensor& x, int64_t dim, bool keepdim);
  Tensor (*cumsum)(const Tensor& x, int64_t dim);

  // --- shape and indexing -----------------------------------------------------------------------
  Tensor (*cat)(const std::vector<Tensor>& tensors, int64_t dim);
  Tensor (*index_select)(const Tensor& x, int64_t dim, const Tensor& index);
  Tensor (*pad)(const Tensor& x, const std::vector<int64_t>& pads, double value);
  Tensor (*upsample_nearest2d)(const Tensor& x, int64_t out_h, int64_t out_w);
};

// The table for `device`'s type.
const Backend& backend_for(Device device);

// Each backend's table. cuda_backend() is the "not built" table in a build
// without CUDA: every entry throws foley::Error saying CUDA is not built in.
const Backend& cpu_backend();
const Backend& cuda_backend();

// The one device of an op's defined tensor arguments; throws foley::Error
// naming the op and both devices when they differ, or when none is defined.
Device device_of(const char* op, std::initializer_list<const Tensor*> tensors);

}  // namespace foley::tensor
