// Reductions along one dim on the CPU: sum, mean, cumsum.
#include "tensor/cpu/common.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {
namespace {

struct Split {
  int64_t outer = 1, size = 1, inner = 1;
};

Split split_at(const Tensor& x, int64_t d) {
  Split s;
  for (int64_t i = 0; i < d; ++i) s.outer *= x.shape()[static_cast<size_t>(i)];
  s.size = x.shape()[static_cast<size_t>(d)];
  for (int64_t i = d + 1; i < x.dim(); ++i) s.inner *= x.shape()[static_cast<size_t>(i)];
  return s;
}

Tensor reduce_sum(const char* op, const Tensor& x_in, int64_t dim, bool keepdim, bool average) {
  cpu::require_cpu(op, {&x_in});
  cpu::require_float(op, "input", x_in);
  const int64_t d = x_in.wrap_dim(dim);
  const Tensor x = cpu::as_f32(x_in);
  const Split s = split_at(x, d);
  Shape out_shape = x.shape();
  if (keepdim) {
    out_shape[static_cast<size_t>(d)] = 1;
  } else {
    out_shape.erase(out_shape.begin() + d);
  }
  Tensor out = Tensor::empty(out_shape);
  const float* px = x.data<float>();
  float* py = out.data<float>();
  cpu::parallel_for(s.outer, 1, [&](int64_t begin, int64_t end) {
    std::vector<double> acc(static_cast<size_t>(s.inner));
    for (int64_t o = begin; o < end; ++o) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t r = 0; r < s.size; ++r) {
        const float* row = px + (o * s.size + r) * s.inner;
        for (int64_t i = 0; i < s.inner; ++i) acc[static_cast<size_t>(i)] += row[i];
      }
      for (int64_t i = 0; i < s.inner; ++i)
        py[o * s.inner + i] = static_cast<float>(average ? acc[static_cast<size_t>(i)] / static_cast<double>(s.size)
                                                         : acc[static_cast<size_t>(i)]);
    }
  });
  return out;
}

template <typename In, typename Acc>
void prefix_sum(const In* px, Acc* py, const Split& s) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      Acc running = 0;
      for (int64_t r = 0; r < s.size; ++r) {
        const int64_t at = (o * s.size + r) * s.inner + i;
        running += static_cast<Acc>(px[at]);
        py[at] = running;
      }
    }
}

}  // namespace

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) { return reduce_sum("sum", x, dim, keepdim, false); }
Tensor mean(const Tensor& x, int64_t dim, bool keepdim) { return reduce_sum("mean", x, dim, keepdim, true); }

Tensor cumsum(const Tensor& x_in, int64_t dim) {
  cpu::require_cpu("cumsum", {&x_in});
  if (!x_in.defined()) cpu::fail("cumsum", "undefined input");
  const int64_t d = x_in.wrap_dim(dim);
  const Split s = split_at(x_in, d);
  if (x_in.dtype() == DType::kI64 || x_in.dtype() == DType::kI32) {
    Tensor out = Tensor::empty(x_in.shape(), DType::kI64);
    if (x_in.dtype() == DType::kI64)
      prefix_sum(x_in.data<int64_t>(), out.data<int64_t>(), s);
    else
      prefix_sum(x_in.data<int32_t>(), out.data<int64_t>(), s);
    return out;
  }
  const Tensor x = cpu::as_f32(x_in);
  Tensor out = Tensor::empty(x.shape());
  prefix_sum(x.data<float>(), out.data<float>(), s);
  return out;
}

}  // namespace foley::tensor::cpu
