#pragma once

// Whether the op table's CUDA column can run in this process.

#include <string>

#include "tensor/cuda/select_device.h"

namespace foley::tensor::op_table {

// Empty when cuda:0 is usable; otherwise why not (select_device's message).
inline std::string cuda_column_skip_reason() {
  try {
    select_device("cuda");
  } catch (const std::exception& e) {
    return e.what();
  }
  if (cuda_device_count() < 1) return "no CUDA device";
  return "";
}

}  // namespace foley::tensor::op_table
