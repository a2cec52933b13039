// Shape and indexing ops on the CPU: cat, index_select, pad,
// upsample_nearest2d. They move bytes and work on any dtype.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tensor/cpu/common.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/ops.h"

namespace foley::tensor::cpu {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) cpu::fail("cat", "no tensors");
  const Tensor& first = tensors.front();
  for (const Tensor& t : tensors) cpu::require_cpu("cat", {&t});
  if (!first.defined()) cpu::fail("cat", "undefined tensor");
  const int64_t d = first.wrap_dim(dim);
  Shape out_shape = first.shape();
  out_shape[static_cast<size_t>(d)] = 0;
  for (const Tensor& t : tensors) {
    bool ok = t.defined() && t.dim() == first.dim() && t.dtype() == first.dtype();
    for (int64_t i = 0; ok && i < t.dim(); ++i) ok = i == d || t.size(i) == first.size(i);
    if (!ok) cpu::fail("cat", "cannot concatenate " + first.to_string() + " and " + t.to_string() + " along dim " +
                                  std::to_string(dim));
    out_shape[static_cast<size_t>(d)] += t.size(d);
  }
  Tensor out = Tensor::empty(out_shape, first.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= out_shape[static_cast<size_t>(i)];
  for (int64_t i = d + 1; i < first.dim(); ++i) inner *= out_shape[static_cast<size_t>(i)];
  const size_t elem = dtype_size(first.dtype());
  const size_t out_row = static_cast<size_t>(out_shape[static_cast<size_t>(d)] * inner) * elem;
  auto* dst = static_cast<char*>(out.raw_data());
  size_t column = 0;
  for (const Tensor& t : tensors) {
    const size_t row = static_cast<size_t>(t.size(d) * inner) * elem;
    const auto* src = static_cast<const char*>(t.raw_data());
    for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + o * out_row + column, src + o * row, row);
    column += row;
  }
  return out;
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  cpu::require_cpu("index_select", {&x, &index});
  if (!index.defined() || index.dim() != 1 || is_floating(index.dtype()))
    cpu::fail("index_select", "index must be a 1-D integer tensor, got " + index.to_string());
  const int64_t d = x.wrap_dim(dim);
  const std::vector<int64_t> ids = index.to_vector_i64();
  const int64_t size_d = x.size(d);
  for (int64_t id : ids)
    if (id < 0 || id >= size_d)
      cpu::fail("index_select", "index " + std::to_string(id) + " out of range [0, " + std::to_string(size_d) +
                                    ") for " + x.to_string());
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(d)] = static_cast<int64_t>(ids.size());
  Tensor out = Tensor::empty(out_shape, x.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.shape()[static_cast<size_t>(i)];
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[static_cast<size_t>(i)];
  const size_t row = static_cast<size_t>(inner) * dtype_size(x.dtype());
  const auto* src = static_cast<const char*>(x.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  const int64_t n = static_cast<int64_t>(ids.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      std::memcpy(dst + (o * n + j) * row, src + (o * size_d + ids[static_cast<size_t>(j)]) * row, row);
  return out;
}

Tensor pad(const Tensor& x_in, const std::vector<int64_t>& pads, double value) {
  cpu::require_cpu("pad", {&x_in});
  if (!x_in.defined()) cpu::fail("pad", "undefined input");
  if (pads.size() % 2 != 0 || static_cast<int64_t>(pads.size() / 2) > x_in.dim())
    cpu::fail("pad", std::to_string(pads.size()) + " pad values do not fit " + x_in.to_string());
  const int64_t n = x_in.dim();
  Shape out_shape = x_in.shape();
  std::vector<int64_t> before(static_cast<size_t>(n), 0);
  for (size_t p = 0; p < pads.size() / 2; ++p) {
    const size_t d = static_cast<size_t>(n) - 1 - p;
    before[d] = pads[2 * p];
    out_shape[d] += pads[2 * p] + pads[2 * p + 1];
    if (out_shape[d] < 0) cpu::fail("pad", "negative output size for " + x_in.to_string());
  }
  Tensor out = Tensor::full(out_shape, value, x_in.dtype());
  if (x_in.numel() == 0 || out.numel() == 0) return out;
  const size_t elem = dtype_size(x_in.dtype());
  // Walk every input row (all dims but the last), copying its overlapping part.
  const int64_t in_last = x_in.size(-1), out_last = out_shape.back();
  const int64_t first = std::max<int64_t>(0, -before.back());
  const int64_t last = std::min<int64_t>(in_last, out_last - before.back());
  const int64_t rows = x_in.numel() / in_last;
  const auto* src = static_cast<const char*>(x_in.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t r = 0; r < rows && last > first; ++r) {
    int64_t rem = r, out_row = 0, mult = 1;
    bool inside = true;
    for (int64_t d = n - 2; d >= 0; --d) {
      const int64_t idx = rem % x_in.size(d);
      rem /= x_in.size(d);
      const int64_t o = idx + before[static_cast<size_t>(d)];
      if (o < 0 || o >= out_shape[static_cast<size_t>(d)]) inside = false;
      out_row += o * mult;
      mult *= out_shape[static_cast<size_t>(d)];
    }
    if (!inside) continue;
    std::memcpy(dst + (out_row * out_last + first + before.back()) * elem, src + (r * in_last + first) * elem,
                static_cast<size_t>(last - first) * elem);
  }
  return out;
}

Tensor upsample_nearest2d(const Tensor& x_in, int64_t out_h, int64_t out_w) {
  cpu::require_cpu("upsample_nearest2d", {&x_in});
  if (!x_in.defined() || x_in.dim() != 4)
    cpu::fail("upsample_nearest2d", "expected [N, C, H, W], got " + x_in.to_string());
  if (out_h < 1 || out_w < 1) cpu::fail("upsample_nearest2d", "output size must be positive");
  const int64_t planes = x_in.size(0) * x_in.size(1), h = x_in.size(2), w = x_in.size(3);
  Tensor out = Tensor::empty({x_in.size(0), x_in.size(1), out_h, out_w}, x_in.dtype());
  const size_t elem = dtype_size(x_in.dtype());
  std::vector<int64_t> src_x(static_cast<size_t>(out_w));
  for (int64_t x = 0; x < out_w; ++x)
    src_x[static_cast<size_t>(x)] = std::min(static_cast<int64_t>(static_cast<float>(x) * (static_cast<float>(w) / out_w)), w - 1);
  // Elements copied as unsigned integers of their size: a memcpy call per element cost ~3 ns each.
  const auto copy_planes = [&]<typename Word>(Word) {
    const auto* src = static_cast<const Word*>(x_in.raw_data());
    auto* dst = static_cast<Word*>(out.raw_data());
    cpu::parallel_for(planes, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        for (int64_t y = 0; y < out_h; ++y) {
          const int64_t sy =
              std::min(static_cast<int64_t>(static_cast<float>(y) * (static_cast<float>(h) / out_h)), h - 1);
          const Word* row = src + (p * h + sy) * w;
          Word* out_row = dst + (p * out_h + y) * out_w;
          for (int64_t x = 0; x < out_w; ++x) out_row[x] = row[src_x[static_cast<size_t>(x)]];
        }
    });
  };
  switch (elem) {
    case 1: copy_planes(uint8_t{}); break;
    case 2: copy_planes(uint16_t{}); break;
    case 4: copy_planes(uint32_t{}); break;
    case 8: copy_planes(uint64_t{}); break;
    default: cpu::fail("upsample_nearest2d", "unsupported element size " + std::to_string(elem));
  }
  return out;
}

}  // namespace foley::tensor::cpu
