#pragma once

// The CUDA side of the runtime: device checks, one stream per request, a
// stream-ordered caching allocator (cudaMallocAsync on the device's default
// pool, never returning memory to the driver), host <-> device transfers and
// raw device pointers of tensors. Only compiled when FOLEY_HAVE_CUDA.

#include <cuda_runtime_api.h>

#include <memory>
#include <string>

#include "kernels/elementwise.h"
#include "tensor/tensor.h"

namespace foley::tensor::cuda {

// Throws foley::Error::failure "CUDA error in <what>: <message>" unless err == cudaSuccess.
void check(cudaError_t err, const char* what);

// Devices the driver reports (0 when there is no driver or no GPU).
int device_count();

// "" when cuda:`index` can run this build's kernels; otherwise the reason
// (no device, index out of range, architecture not compiled in) in words.
std::string device_problem(int index);

// The architectures this binary has kernels for, e.g. "sm_80, sm_86, sm_89, sm_90".
std::string compiled_architectures();

// The stream the calling thread's ops run on: the innermost StreamScope's,
// else the per-thread default stream.
cudaStream_t current_stream();

// Makes `device` current for this thread and gives it its own stream (taken
// from a per-device pool) until the scope ends; the destructor waits for the
// stream's work and restores the previous device and stream. One per request.
class StreamScope {
 public:
  explicit StreamScope(Device device);
  ~StreamScope();
  StreamScope(const StreamScope&) = delete;
  StreamScope& operator=(const StreamScope&) = delete;
  cudaStream_t stream() const { return stream_; }

 private:
  int device_ = 0, previous_device_ = 0;
  cudaStream_t stream_ = nullptr, previous_stream_ = nullptr;
};

// Waits for all work queued on the current stream.
void synchronize();

// `bytes` of device memory on `device`, allocated and later freed in stream
// order on the current stream. Throws foley::Error::failure when out of memory.
std::shared_ptr<Storage> allocate(size_t bytes, Device device);

// Uninitialised / zeroed tensor on a CUDA device.
Tensor empty(const Shape& shape, DType dtype, Device device);
Tensor zeros(const Shape& shape, DType dtype, Device device);

// Copies a CPU tensor to `device` (synchronous with respect to the host buffer).
Tensor to_device(const Tensor& host, Device device);
// Copies a CUDA tensor to a new CPU tensor (waits for the copy).
Tensor to_host(const Tensor& t);

// Device address of t's first element; throws unless t is a defined CUDA tensor.
void* device_ptr(const Tensor& t);
inline const float* f32_ptr(const Tensor& t) { return static_cast<const float*>(device_ptr(t)); }
inline float* f32_mut(const Tensor& t) { return static_cast<float*>(device_ptr(t)); }

// Storage format of a floating dtype for the kernels; throws for integer dtypes.
kernels::Elem elem_of(DType dtype);

// t converted to `dtype` on its device (t itself when already that dtype).
// Floating dtypes only.
Tensor to_dtype(const Tensor& t, DType dtype);

// The 16-bit format GEMM and attention operands are rounded to: bf16 (the
// default) or f16. Process-wide; set before running a model.
void set_matmul_dtype(DType dtype);
DType matmul_dtype();

// A weight prepared once at load: copied to `device` and converted to the
// matmul dtype (norm weights and other vectors should stay f32: use to_device).
Tensor prepare_weight(const Tensor& host, Device device);

}  // namespace foley::tensor::cuda
