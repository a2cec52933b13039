#pragma once

// Shape rules shared by every backend: numpy broadcasting and row-major
// strides. Pure shape arithmetic, no data.

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace foley::tensor {

// The numpy/torch broadcast of two shapes (aligned at the end; each dim equal
// or 1). Throws foley::Error "<op>: shapes A and B do not broadcast".
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// Element strides of a dense tensor of `shape` read as the broadcast shape
// `out` (shape aligned to the end of out): 0 for its size-1 dims (broadcast
// or not, index 0 is all they hold) and for the dims it lacks.
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out);

// Row-major element strides of a dense tensor of `shape`.
std::vector<int64_t> contiguous_strides(const Shape& shape);

}  // namespace foley::tensor
