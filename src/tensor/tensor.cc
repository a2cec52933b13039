#include "tensor/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "common/error.h"
#include "tensor/backend.h"
#include "tensor/broadcast.h"
#include "tensor/cpu/parallel.h"
#include "tensor/op_profile.h"

namespace foley::tensor {

std::string shape_to_string(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("negative dimension in shape " + shape_to_string(shape));
    if (d != 0 && n > INT64_MAX / d) throw Error("shape " + shape_to_string(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

// --- Storage ---------------------------------------------------------------

std::shared_ptr<Storage> Storage::allocate(size_t bytes, Device device) {
  if (!device.is_cpu()) return backend_for(device).allocate(bytes, device);
  const size_t rounded = (bytes + 63) / 64 * 64;
  void* data = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!data) throw Error::failure("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::shared_ptr<Storage> storage(new Storage());
  storage->data_ = data;
  storage->size_ = bytes;
  storage->device_ = device;
  return storage;
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t bytes, std::shared_ptr<const void> keeper,
                                         Device device) {
  std::shared_ptr<Storage> storage(new Storage());
  storage->data_ = data;
  storage->size_ = bytes;
  storage->device_ = device;
  storage->keeper_ = keeper ? std::move(keeper) : std::make_shared<int>(0);
  return storage;
}

Storage::~Storage() {
  if (!keeper_) std::free(data_);
}

// --- Tensor: factories --------------------------------------------------------

Tensor Tensor::from_storage(std::shared_ptr<Storage> storage, size_t byte_offset, const Shape& shape,
                            DType dtype) {
  Tensor t;
  t.numel_ = shape_numel(shape);
  const size_t bytes = static_cast<size_t>(t.numel_) * dtype_size(dtype);
  if (!storage || byte_offset > storage->size() || bytes > storage->size() - byte_offset)
    throw Error("tensor view " + shape_to_string(shape) + " does not fit in its storage");
  t.device_ = storage->device();
  t.storage_ = std::move(storage);
  t.offset_ = byte_offset;
  t.shape_ = shape;
  t.dtype_ = dtype;
  return t;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  const int64_t n = shape_numel(shape);
  return from_storage(Storage::allocate(static_cast<size_t>(n) * dtype_size(dtype), device), 0, shape, dtype);
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  if (!device.is_cpu()) return backend_for(device).fill(shape, 0.0, dtype, device);
  Tensor t = empty(shape, dtype, device);
  std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  if (!device.is_cpu()) return backend_for(device).fill(shape, value, dtype, device);
  Tensor t = empty(shape, dtype, device);
  const size_t n = static_cast<size_t>(t.numel());
  switch (dtype) {
    case DType::kF32: std::fill_n(t.data<float>(), n, static_cast<float>(value)); break;
    case DType::kI32: std::fill_n(t.data<int32_t>(), n, static_cast<int32_t>(value)); break;
    case DType::kI64: std::fill_n(t.data<int64_t>(), n, static_cast<int64_t>(value)); break;
    case DType::kF16: std::fill_n(t.data<uint16_t>(), n, f32_to_f16(static_cast<float>(value))); break;
    case DType::kBF16: std::fill_n(t.data<uint16_t>(), n, f32_to_bf16(static_cast<float>(value))); break;
  }
  return t;
}

namespace {

template <typename T>
Tensor tensor_from_values(const std::vector<T>& values, const Shape& shape, DType dtype) {
  const Shape actual = shape.empty() ? Shape{static_cast<int64_t>(values.size())} : shape;
  if (shape_numel(actual) != static_cast<int64_t>(values.size()))
    throw Error("from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                shape_to_string(actual));
  Tensor t = Tensor::empty(actual, dtype);
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  return t;
}

}  // namespace

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  return tensor_from_values(values, shape, DType::kF32);
}
Tensor Tensor::from_vector(const std::vector<int32_t>& values, const Shape& shape) {
  return tensor_from_values(values, shape, DType::kI32);
}
Tensor Tensor::from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  return tensor_from_values(values, shape, DType::kI64);
}

Tensor Tensor::arange(int64_t n, DType dtype) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), 0);
  return from_vector(values).to(dtype);
}

// --- Tensor: properties ---------------------------------------------------------

int64_t Tensor::wrap_dim(int64_t d) const {
  const int64_t n = dim();
  const int64_t w = d < 0 ? d + n : d;
  if (w < 0 || w >= n)
    throw Error("dim " + std::to_string(d) + " out of range for tensor " + to_string());
  return w;
}

int64_t Tensor::size(int64_t d) const { return shape_[static_cast<size_t>(wrap_dim(d))]; }

std::string Tensor::to_string() const {
  if (!defined()) return "undefined tensor";
  return std::string(dtype_name(dtype_)) + shape_to_string(shape_) + " " + device_.to_string();
}

namespace {

template <typename T>
bool dtype_matches(DType d) {
  if constexpr (std::is_same_v<T, float>) return d == DType::kF32;
  if constexpr (std::is_same_v<T, uint16_t>) return d == DType::kF16 || d == DType::kBF16;
  if constexpr (std::is_same_v<T, int32_t>) return d == DType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return d == DType::kI64;
  return false;
}

}  // namespace

template <typename T>
T* Tensor::data() {
  if (!dtype_matches<T>(dtype_)) throw Error("data<T>(): element type does not match " + to_string());
  return static_cast<T*>(raw_data());
}

template <typename T>
const T* Tensor::data() const {
  if (!dtype_matches<T>(dtype_)) throw Error("data<T>(): element type does not match " + to_string());
  return static_cast<const T*>(raw_data());
}

template float* Tensor::data<float>();
template uint16_t* Tensor::data<uint16_t>();
template int32_t* Tensor::data<int32_t>();
template int64_t* Tensor::data<int64_t>();
template const float* Tensor::data<float>() const;
template const uint16_t* Tensor::data<uint16_t>() const;
template const int32_t* Tensor::data<int32_t>() const;
template const int64_t* Tensor::data<int64_t>() const;

void* Tensor::raw_data() {
  if (!defined()) throw Error("access to the data of an undefined tensor");
  if (!device_.is_cpu()) throw Error("host access to the data of " + to_string());
  return static_cast<char*>(storage_->data()) + offset_;
}

const void* Tensor::raw_data() const { return const_cast<Tensor*>(this)->raw_data(); }

// --- Tensor: conversions ----------------------------------------------------------

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  if (!device_.is_cpu()) return backend_for(device_).convert(*this, dtype);
  Tensor out = empty(shape_, dtype, device_);
  convert_elements(raw_data(), dtype_, out.raw_data(), dtype, static_cast<size_t>(numel_));
  return out;
}

Tensor Tensor::to(Device device) const {
  if (device == device_) return *this;
  if (device_.is_cpu()) return backend_for(device).upload(*this, device);
  const Tensor host = backend_for(device_).download(*this);
  return device.is_cpu() ? host : backend_for(device).upload(host, device);
}

Tensor Tensor::clone() const {
  if (!device_.is_cpu())
    return backend_for(device_).gather_strided(*this, 0, shape_, contiguous_strides(shape_));
  Tensor out = empty(shape_, dtype_, device_);
  std::memcpy(out.raw_data(), raw_data(), nbytes());
  return out;
}

double Tensor::item() const {
  if (numel_ != 1) throw Error("item() needs exactly one element, got " + to_string());
  if (!device_.is_cpu()) return to(Device::cpu()).item();
  double value = 0;
  switch (dtype_) {
    case DType::kF32: value = *data<float>(); break;
    case DType::kF16: value = f16_to_f32(*data<uint16_t>()); break;
    case DType::kBF16: value = bf16_to_f32(*data<uint16_t>()); break;
    case DType::kI32: value = *data<int32_t>(); break;
    case DType::kI64: value = static_cast<double>(*data<int64_t>()); break;
  }
  return value;
}

std::vector<float> Tensor::to_vector_f32() const {
  if (defined() && !device_.is_cpu()) return to(Device::cpu()).to_vector_f32();
  std::vector<float> out(static_cast<size_t>(numel_));
  convert_elements(raw_data(), dtype_, out.data(), DType::kF32, out.size());
  return out;
}

std::vector<int64_t> Tensor::to_vector_i64() const {
  if (defined() && !device_.is_cpu()) return to(Device::cpu()).to_vector_i64();
  std::vector<int64_t> out(static_cast<size_t>(numel_));
  convert_elements(raw_data(), dtype_, out.data(), DType::kI64, out.size());
  return out;
}

// --- Tensor: views --------------------------------------------------------------------

Tensor Tensor::reshape(const Shape& shape) const {
  Shape resolved = shape;
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1) {
      if (inferred >= 0) throw Error("reshape: more than one -1 in " + shape_to_string(shape));
      inferred = static_cast<int>(i);
    } else {
      if (resolved[i] < 0) throw Error("reshape: bad shape " + shape_to_string(shape));
      known *= resolved[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel_ % known != 0)
      throw Error("reshape: cannot view " + to_string() + " as " + shape_to_string(shape));
    resolved[static_cast<size_t>(inferred)] = numel_ / known;
  }
  if (shape_numel(resolved) != numel_)
    throw Error("reshape: cannot view " + to_string() + " as " + shape_to_string(shape));
  Tensor t = *this;
  t.shape_ = resolved;
  return t;
}

Tensor Tensor::unsqueeze(int64_t d) const {
  const int64_t n = dim();
  const int64_t w = d < 0 ? d + n + 1 : d;
  if (w < 0 || w > n) throw Error("unsqueeze: dim " + std::to_string(d) + " out of range for " + to_string());
  Shape s = shape_;
  s.insert(s.begin() + w, 1);
  return reshape(s);
}

Tensor Tensor::squeeze(int64_t d) const {
  const int64_t w = wrap_dim(d);
  if (shape_[static_cast<size_t>(w)] != 1)
    throw Error("squeeze: dim " + std::to_string(d) + " of " + to_string() + " is not 1");
  Shape s = shape_;
  s.erase(s.begin() + w);
  return reshape(s);
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  if (dim() == 0) return reshape({1});
  const int64_t s = wrap_dim(start), e = wrap_dim(end);
  if (s > e) throw Error("flatten: start after end for " + to_string());
  Shape out(shape_.begin(), shape_.begin() + s);
  int64_t merged = 1;
  for (int64_t i = s; i <= e; ++i) merged *= shape_[static_cast<size_t>(i)];
  out.push_back(merged);
  out.insert(out.end(), shape_.begin() + e + 1, shape_.end());
  return reshape(out);
}

// --- Tensor: slicing --------------------------------------------------------------------

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  const OpTimer timer("slice", {this});
  const int64_t w = wrap_dim(d);
  const int64_t size_d = shape_[static_cast<size_t>(w)];
  if (step < 1) throw Error("slice: step must be >= 1, got " + std::to_string(step));
  auto clamp = [size_d](int64_t i) {
    if (i < 0) i += size_d;
    return std::clamp<int64_t>(i, 0, size_d);
  };
  const int64_t b = clamp(start), e = std::max(clamp(end), clamp(start));
  const int64_t length = (e - b + step - 1) / step;
  if (step == 1) return narrow(w, b, length);

  Shape out_shape = shape_;
  out_shape[static_cast<size_t>(w)] = length;
  if (!device_.is_cpu()) {
    std::vector<int64_t> strides = contiguous_strides(shape_);
    const int64_t offset = b * strides[static_cast<size_t>(w)];
    strides[static_cast<size_t>(w)] *= step;
    return backend_for(device_).gather_strided(*this, offset, out_shape, strides);
  }
  Tensor out = empty(out_shape, dtype_, device_);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < w; ++i) outer *= shape_[static_cast<size_t>(i)];
  for (int64_t i = w + 1; i < dim(); ++i) inner *= shape_[static_cast<size_t>(i)];
  const size_t row = static_cast<size_t>(inner) * dtype_size(dtype_);
  const auto* src = static_cast<const char*>(raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < length; ++j)
      std::memcpy(dst + (o * length + j) * row, src + (o * size_d + b + j * step) * row, row);
  return out;
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  const OpTimer timer("narrow", {this});
  const int64_t w = wrap_dim(d);
  const int64_t size_d = shape_[static_cast<size_t>(w)];
  if (start < 0) start += size_d;
  if (start < 0 || length < 0 || start > size_d || length > size_d - start)
    throw Error("narrow: [" + std::to_string(start) + ", +" + std::to_string(length) + ") out of range for dim " +
                std::to_string(d) + " of " + to_string());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < w; ++i) outer *= shape_[static_cast<size_t>(i)];
  for (int64_t i = w + 1; i < dim(); ++i) inner *= shape_[static_cast<size_t>(i)];
  Shape out_shape = shape_;
  out_shape[static_cast<size_t>(w)] = length;
  const size_t elem = dtype_size(dtype_);
  if (outer == 1) {
    Tensor t = *this;
    t.offset_ = offset_ + static_cast<size_t>(start * inner) * elem;
    t.shape_ = out_shape;
    t.numel_ = shape_numel(out_shape);
    return t;
  }
  if (!device_.is_cpu()) {
    const std::vector<int64_t> strides = contiguous_strides(shape_);
    return backend_for(device_).gather_strided(*this, start * strides[static_cast<size_t>(w)], out_shape, strides);
  }
  Tensor out = empty(out_shape, dtype_, device_);
  const size_t chunk = static_cast<size_t>(length * inner) * elem;
  const auto* src = static_cast<const char*>(raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + o * chunk, src + static_cast<size_t>((o * size_d + start) * inner) * elem, chunk);
  return out;
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  const int64_t w = wrap_dim(d);
  const int64_t size_d = shape_[static_cast<size_t>(w)];
  const int64_t i = index < 0 ? index + size_d : index;
  if (i < 0 || i >= size_d)
    throw Error("select: index " + std::to_string(index) + " out of range for dim " + std::to_string(d) + " of " +
                to_string());
  return narrow(w, i, 1).squeeze(w);
}

// --- Tensor: layout changes -----------------------------------------------------------------

namespace {

// The permutation as a batch of 2-D transposes, when it is one: output [A, X, Y] from input [A, Y, X] once
// neighbouring dims that stay neighbours are merged (the UNet's [B, C, HW] <-> [B, HW, C] token reshapes; a
// heads split [B, L, H, D] -> [B, H, L, D] is not one: it keeps the generic loop, whose inner copy of D is
// contiguous). Copies 4-byte elements in 16 x 16 blocks, so both sides are read and written
// a cache line at a time (the generic loop reads the source with a stride of a whole row), batches and row
// blocks in parallel. Returns false (nothing written) for any other permutation.
bool batched_transpose_32(const void* src_v, void* dst_v, const Shape& in_shape, const std::vector<int64_t>& p) {
  // Size-1 dims dropped, the others numbered 0..m-1 in input order; then runs of output dims whose numbers
  // follow each other merged into groups {first number, size}, in output order.
  const size_t n = in_shape.size();
  std::vector<int64_t> rank(n, -1);
  int64_t m = 0;
  for (size_t i = 0; i < n; ++i)
    if (in_shape[i] > 1) rank[i] = m++;
  std::vector<std::pair<int64_t, int64_t>> groups;
  int64_t last = -2;
  for (int64_t d : p) {
    const int64_t r = rank[static_cast<size_t>(d)];
    if (r < 0) continue;
    if (r == last + 1 && !groups.empty())
      groups.back().second *= in_shape[static_cast<size_t>(d)];
    else
      groups.push_back({r, in_shape[static_cast<size_t>(d)]});
    last = r;
  }
  int64_t batch = 1, rows = 1, cols = 1;  // output [batch, rows, cols] = input [batch, cols, rows]
  if (groups.size() == 3 && groups[0].first < groups[2].first && groups[2].first < groups[1].first) {
    batch = groups[0].second;
    rows = groups[1].second;
    cols = groups[2].second;
  } else if (groups.size() == 2 && groups[1].first < groups[0].first) {
    rows = groups[0].second;
    cols = groups[1].second;
  } else {
    return false;
  }
  const auto* src = static_cast<const uint32_t*>(src_v);
  auto* dst = static_cast<uint32_t*>(dst_v);
  constexpr int64_t kBlock = 16;
  const int64_t row_blocks = (rows + kBlock - 1) / kBlock;
  cpu::parallel_for(batch * row_blocks, 4, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t a = t / row_blocks, r0 = (t % row_blocks) * kBlock, r1 = std::min(rows, r0 + kBlock);
      const uint32_t* in = src + a * rows * cols;  // [cols, rows]
      uint32_t* o = dst + a * rows * cols;         // [rows, cols]
      for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
        const int64_t c1 = std::min(cols, c0 + kBlock);
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) o[r * cols + c] = in[c * rows + r];
      }
    }
  });
  return true;
}

}  // namespace

Tensor Tensor::permute(const std::vector<int64_t>& perm) const {
  const OpTimer timer("permute", {this});
  const int64_t n = dim();
  if (static_cast<int64_t>(perm.size()) != n) throw Error("permute: wrong number of dims for " + to_string());
  std::vector<int64_t> p(perm.size());
  std::vector<bool> seen(perm.size(), false);
  bool identity = true;
  for (int64_t i = 0; i < n; ++i) {
    p[static_cast<size_t>(i)] = wrap_dim(perm[static_cast<size_t>(i)]);
    if (seen[static_cast<size_t>(p[static_cast<size_t>(i)])]) throw Error("permute: repeated dim for " + to_string());
    seen[static_cast<size_t>(p[static_cast<size_t>(i)])] = true;
    identity = identity && p[static_cast<size_t>(i)] == i;
  }
  if (identity) return *this;

  // Drop size-1 dims? Keep it simple: generic strided copy with the innermost
  // output dim as the fast loop.
  std::vector<int64_t> in_strides(static_cast<size_t>(n));
  int64_t s = 1;
  for (int64_t i = n - 1; i >= 0; --i) {
    in_strides[static_cast<size_t>(i)] = s;
    s *= shape_[static_cast<size_t>(i)];
  }
  Shape out_shape(static_cast<size_t>(n));
  std::vector<int64_t> src_strides(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    out_shape[static_cast<size_t>(i)] = shape_[static_cast<size_t>(p[static_cast<size_t>(i)])];
    src_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(p[static_cast<size_t>(i)])];
  }
  if (!device_.is_cpu())
    return backend_for(device_).gather_strided(*this, 0, out_shape, src_strides);
  Tensor out = empty(out_shape, dtype_, device_);
  if (numel_ == 0) return out;
  const size_t elem = dtype_size(dtype_);
  const auto* src = static_cast<const char*>(raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  if (elem == 4 && batched_transpose_32(src, dst, shape_, p)) return out;
  const int64_t last = out_shape[static_cast<size_t>(n - 1)];
  const int64_t last_stride = src_strides[static_cast<size_t>(n - 1)];
  std::vector<int64_t> index(static_cast<size_t>(n), 0);
  int64_t written = 0;
  while (written < numel_) {
    int64_t base = 0;
    for (int64_t i = 0; i < n - 1; ++i) base += index[static_cast<size_t>(i)] * src_strides[static_cast<size_t>(i)];
    switch (elem) {
      case 2: {
        auto* d = reinterpret_cast<uint16_t*>(dst) + written;
        const auto* sp = reinterpret_cast<const uint16_t*>(src) + base;
        for (int64_t j = 0; j < last; ++j) d[j] = sp[j * last_stride];
        break;
      }
      case 4: {
        auto* d = reinterpret_cast<uint32_t*>(dst) + written;
        const auto* sp = reinterpret_cast<const uint32_t*>(src) + base;
        for (int64_t j = 0; j < last; ++j) d[j] = sp[j * last_stride];
        break;
      }
      default: {
        auto* d = reinterpret_cast<uint64_t*>(dst) + written;
        const auto* sp = reinterpret_cast<const uint64_t*>(src) + base;
        for (int64_t j = 0; j < last; ++j) d[j] = sp[j * last_stride];
        break;
      }
    }
    written += last;
    for (int64_t i = n - 2; i >= 0; --i) {
      if (++index[static_cast<size_t>(i)] < out_shape[static_cast<size_t>(i)]) break;
      index[static_cast<size_t>(i)] = 0;
    }
  }
  return out;
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  std::vector<int64_t> perm(static_cast<size_t>(dim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(wrap_dim(d0))], perm[static_cast<size_t>(wrap_dim(d1))]);
  return permute(perm);
}

}  // namespace foley::tensor
