#pragma once

// Device selection, available in every build (CPU-only included) so that a
// request naming a device gets the same validation everywhere.

#include <string>

#include "tensor/device.h"

namespace foley::tensor {

// Resolves a device setting: "cpu"; "auto" (cuda:0 when this build has CUDA
// and a usable GPU, else cpu); "cuda" (= cuda:0) or "cuda:N". Throws
// foley::Error (input) with the reason when CUDA is requested but this build
// has no CUDA backend, no device is present, N is out of range, or the GPU's
// architecture is not among the ones this binary was compiled for.
Device select_device(const std::string& setting);

// True when this binary was built with the CUDA backend (whether or not a GPU is present).
bool cuda_built();

// Number of CUDA devices usable by this build (0 in a CPU-only build, or when
// the driver reports none).
int cuda_device_count();

}  // namespace foley::tensor
