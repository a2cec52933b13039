#include "tensor/cuda/runtime.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"

#ifndef FOLEY_CUDA_ARCHS
#define FOLEY_CUDA_ARCHS ""
#endif

namespace foley::tensor::cuda {
namespace {

thread_local cudaStream_t t_stream = nullptr;  // null = cudaStreamPerThread
DType g_matmul_dtype = DType::kBF16;

std::mutex& pool_mutex() {
  static std::mutex m;
  return m;
}

// Streams are never destroyed: memory freed in stream order (cudaFreeAsync)
// may name a stream long after the request that made it has ended.
std::map<int, std::vector<cudaStream_t>>& idle_streams() {
  static std::map<int, std::vector<cudaStream_t>> streams;
  return streams;
}

// First use of a device: keep freed memory in its default pool (the caching
// allocator) instead of returning it to the driver at each synchronisation.
void init_device_pool(int device) {
  static std::set<int> done;
  std::lock_guard<std::mutex> lock(pool_mutex());
  if (!done.insert(device).second) return;
  cudaMemPool_t pool;
  check(cudaDeviceGetDefaultMemPool(&pool, device), "cudaDeviceGetDefaultMemPool");
  uint64_t threshold = UINT64_MAX;
  check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold), "cudaMemPoolSetAttribute");
}

int current_device() {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  return device;
}

void set_device(int device) {
  if (current_device() != device) check(cudaSetDevice(device), "cudaSetDevice");
}

}  // namespace

void check(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  throw Error::failure(std::string("CUDA error in ") + what + ": " + cudaGetErrorName(err) + " (" +
                       cudaGetErrorString(err) + ")");
}

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no driver" status
    return 0;
  }
  return count;
}

std::string compiled_architectures() {
  std::string list = FOLEY_CUDA_ARCHS, out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string arch = list.substr(start, end - start);
    if (auto dash = arch.find('-'); dash != std::string::npos) arch = arch.substr(0, dash);  // "90-real"
    if (!arch.empty()) out += (out.empty() ? "sm_" : ", sm_") + arch;
    start = end + 1;
  }
  return out.empty() ? "(unknown)" : out;
}

std::string device_problem(int index) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    return std::string("no CUDA device is usable (") + cudaGetErrorString(err) + ")";
  }
  if (count == 0) return "no CUDA device is present";
  if (index < 0 || index >= count)
    return "only " + std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s") + " present (cuda:0" +
           (count > 1 ? " to cuda:" + std::to_string(count - 1) : "") + ")";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) {
    (void)cudaGetLastError();
    return "cannot query its properties";
  }
  int previous = 0;
  cudaGetDevice(&previous);
  cudaSetDevice(index);
  const cudaError_t image = kernels::probe_kernel_image();
  cudaSetDevice(previous);
  if (image != cudaSuccess) {
    (void)cudaGetLastError();
    return std::string(prop.name) + " is sm_" + std::to_string(prop.major) + std::to_string(prop.minor) +
           ", but this build only has kernels for " + compiled_architectures() +
           " (reconfigure with -DCMAKE_CUDA_ARCHITECTURES=" + std::to_string(prop.major) +
           std::to_string(prop.minor) + ")";
  }
  return "";
}

cudaStream_t current_stream() { return t_stream ? t_stream : cudaStreamPerThread; }

StreamScope::StreamScope(Device device) {
  if (!device.is_cuda()) throw Error("StreamScope needs a CUDA device, got " + device.to_string());
  device_ = device.index;
  previous_device_ = current_device();
  set_device(device_);
  init_device_pool(device_);
  {
    std::lock_guard<std::mutex> lock(pool_mutex());
    auto& idle = idle_streams()[device_];
    if (!idle.empty()) {
      stream_ = idle.back();
      idle.pop_back();
    }
  }
  if (!stream_) check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  previous_stream_ = t_stream;
  t_stream = stream_;
}

StreamScope::~StreamScope() {
  cudaStreamSynchronize(stream_);  // errors surface on the next checked call
  t_stream = previous_stream_;
  {
    std::lock_guard<std::mutex> lock(pool_mutex());
    idle_streams()[device_].push_back(stream_);
  }
  cudaSetDevice(previous_device_);
}

void synchronize() { check(cudaStreamSynchronize(current_stream()), "cudaStreamSynchronize"); }

namespace {

// Throws foley::Error naming the reason unless `device` can run this build's kernels (checked once per device).
void require_usable(Device device) {
  static std::mutex m;
  static std::map<int, std::string> problems;
  std::string problem;
  {
    std::lock_guard<std::mutex> lock(m);
    auto it = problems.find(device.index);
    if (it == problems.end()) it = problems.emplace(device.index, device_problem(device.index)).first;
    problem = it->second;
  }
  if (!problem.empty()) throw Error("device " + device.to_string() + ": " + problem);
}

}  // namespace

std::shared_ptr<Storage> allocate(size_t bytes, Device device) {
  if (!device.is_cuda()) throw Error("cuda::allocate: " + device.to_string() + " is not a CUDA device");
  require_usable(device);
  set_device(device.index);
  init_device_pool(device.index);
  const cudaStream_t stream = current_stream();
  void* ptr = nullptr;
  const cudaError_t err = cudaMallocAsync(&ptr, bytes == 0 ? 256 : bytes, stream);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    throw Error::failure("out of GPU memory allocating " + std::to_string(bytes) + " bytes on " + device.to_string() +
                         " (" + cudaGetErrorString(err) + ")");
  }
  const int index = device.index;
  std::shared_ptr<void> keeper(ptr, [stream, index](void* p) {
    int previous = 0;
    cudaGetDevice(&previous);
    if (previous != index) cudaSetDevice(index);
    cudaFreeAsync(p, stream);
    if (previous != index) cudaSetDevice(previous);
  });
  return Storage::borrow(ptr, bytes, std::move(keeper), device);
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  const int64_t n = shape_numel(shape);
  return Tensor::from_storage(allocate(static_cast<size_t>(n) * dtype_size(dtype), device), 0, shape, dtype);
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  check(cudaMemsetAsync(device_ptr(t), 0, t.nbytes(), current_stream()), "cudaMemsetAsync");
  return t;
}

void* device_ptr(const Tensor& t) {
  if (!t.defined()) throw Error("device_ptr: undefined tensor");
  if (!t.device().is_cuda()) throw Error("device_ptr: " + t.to_string() + " is not on a CUDA device");
  return static_cast<char*>(t.storage()->data()) + t.storage_offset();
}

Tensor to_device(const Tensor& host, Device device) {
  if (!host.device().is_cpu()) throw Error("to_device: " + host.to_string() + " is not on the CPU");
  // Uploaded tensors (weights above all) may be read from any request's stream, so their memory is not
  // stream-ordered: it is freed once the whole device is idle.
  require_usable(device);
  set_device(device.index);
  void* ptr = nullptr;
  const size_t bytes = host.nbytes();
  if (cudaMalloc(&ptr, bytes == 0 ? 256 : bytes) != cudaSuccess) {
    (void)cudaGetLastError();
    throw Error::failure("out of GPU memory uploading " + host.to_string() + " to " + device.to_string());
  }
  const int index = device.index;
  std::shared_ptr<void> keeper(ptr, [index](void* p) {
    int previous = 0;
    cudaGetDevice(&previous);
    if (previous != index) cudaSetDevice(index);
    cudaDeviceSynchronize();
    cudaFree(p);
    if (previous != index) cudaSetDevice(previous);
  });
  Tensor out = Tensor::from_storage(Storage::borrow(ptr, bytes, std::move(keeper), device), 0, host.shape(),
                                    host.dtype());
  if (host.nbytes() > 0) {
    check(cudaMemcpyAsync(device_ptr(out), host.raw_data(), host.nbytes(), cudaMemcpyHostToDevice, current_stream()),
          "cudaMemcpyAsync (to device)");
    synchronize();  // the host buffer may go away as soon as we return
  }
  return out;
}

Tensor to_host(const Tensor& t) {
  Tensor out = Tensor::empty(t.shape(), t.dtype());
  if (t.nbytes() > 0) {
    set_device(t.device().index);
    check(cudaMemcpyAsync(out.raw_data(), device_ptr(t), t.nbytes(), cudaMemcpyDeviceToHost, current_stream()),
          "cudaMemcpyAsync (to host)");
    synchronize();
  }
  return out;
}

kernels::Elem elem_of(DType dtype) {
  switch (dtype) {
    case DType::kF32: return kernels::Elem::kF32;
    case DType::kF16: return kernels::Elem::kF16;
    case DType::kBF16: return kernels::Elem::kBF16;
    default: throw Error(std::string("CUDA kernels need a floating dtype, got ") + std::string(dtype_name(dtype)));
  }
}

void set_matmul_dtype(DType dtype) {
  if (dtype != DType::kBF16 && dtype != DType::kF16)
    throw Error("the CUDA matmul dtype must be bf16 or f16, got " + std::string(dtype_name(dtype)));
  g_matmul_dtype = dtype;
}

DType matmul_dtype() { return g_matmul_dtype; }

Tensor prepare_weight(const Tensor& host, Device device) {
  return to_dtype(to_device(host, device), matmul_dtype());
}

}  // namespace foley::tensor::cuda
