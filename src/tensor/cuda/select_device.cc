#include "tensor/cuda/select_device.h"

#include "common/error.h"

#ifdef FOLEY_HAVE_CUDA
#include "tensor/cuda/runtime.h"
#endif

namespace foley::tensor {

bool cuda_built() {
#ifdef FOLEY_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#ifdef FOLEY_HAVE_CUDA
  return cuda::device_count();
#else
  return 0;
#endif
}

Device select_device(const std::string& setting) {
  if (setting == "auto") {
#ifdef FOLEY_HAVE_CUDA
    if (cuda::device_count() > 0 && cuda::device_problem(0).empty()) return Device::cuda(0);
#endif
    return Device::cpu();
  }
  const Device device = Device::parse(setting);
  if (device.is_cpu()) return device;
#ifdef FOLEY_HAVE_CUDA
  const std::string problem = cuda::device_problem(device.index);
  if (!problem.empty()) throw Error("device " + device.to_string() + ": " + problem);
  return device;
#else
  throw Error("device " + device.to_string() +
              " requested, but this build has no CUDA backend (rebuild with -DFOLEY_CUDA=ON on a machine with the "
              "CUDA toolkit, or use device = \"cpu\")");
#endif
}

}  // namespace foley::tensor
