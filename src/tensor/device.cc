#include "tensor/device.h"

#include <charconv>

#include "common/error.h"
#include "tensor/cuda/select_device.h"

namespace foley::tensor {

std::string Device::to_string() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index);
}

Device Device::parse(const std::string& text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.rfind("cuda:", 0) == 0 && text.size() > 5) {
    int index = -1;
    const char* begin = text.data() + 5;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, index);
    if (ec == std::errc() && ptr == end && index >= 0) return cuda(index);
  }
  throw Error("unknown device \"" + text + "\" (expected cpu, cuda or cuda:N)");
}

bool cuda_available() { return cuda_device_count() > 0; }

}  // namespace foley::tensor
