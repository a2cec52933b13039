#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"

namespace foley::tensor {

// Dimensions of a tensor, outermost first (row-major).
using Shape = std::vector<int64_t>;

// "[2, 8, 256, 16]" for messages.
std::string shape_to_string(const Shape& shape);

// Product of the dims (1 for a scalar shape {}). Throws foley::Error on a
// negative dim or on int64 overflow.
int64_t shape_numel(const Shape& shape);

// A refcounted block of bytes on one device. Either owned (allocated here,
// 64-byte aligned, freed with the last reference) or borrowed: a window into
// memory kept alive by `keeper` (e.g. an mmapped safetensors file), released
// when the last Storage referring to it goes away.
class Storage {
 public:
  // Allocates `bytes` uninitialised bytes on `device` (CPU only for now;
  // throws foley::Error for a device this build cannot allocate on).
  static std::shared_ptr<Storage> allocate(size_t bytes, Device device = Device::cpu());

  // Wraps memory owned elsewhere; `keeper` is held as long as the Storage lives.
  static std::shared_ptr<Storage> borrow(void* data, size_t bytes, std::shared_ptr<const void> keeper,
                                         Device device = Device::cpu());

  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }
  Device device() const { return device_; }
  // False for borrowed memory (e.g. read-only mmapped weights: do not write).
  bool owned() const { return keeper_ == nullptr; }

 private:
  Storage() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
  Device device_;
  std::shared_ptr<const void> keeper_;
};

// An n-dimensional array: dtype, shape, device, and a byte offset into a
// shared Storage. Tensors are always dense and row-major (contiguous); view
// operations (reshape, narrow on a leading dim, squeeze/unsqueeze) share the
// storage, the others materialise a new tensor. Copying a Tensor is cheap and
// aliases the data (like torch); use clone() for a deep copy.
//
// Tensors viewing mmapped weights are read-only by convention: ops never write
// to their inputs, and only a tensor you created (empty/zeros/clone/an op's
// result) may be written through data<T>().
class Tensor {
 public:
  // An undefined tensor (defined() == false), used for "no bias" etc.
  Tensor() = default;

  // --- factories ------------------------------------------------------------
  // Uninitialised contents.
  static Tensor empty(const Shape& shape, DType dtype = DType::kF32, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype = DType::kF32, Device device = Device::cpu());
  // Every element = value (converted to dtype).
  static Tensor full(const Shape& shape, double value, DType dtype = DType::kF32,
                     Device device = Device::cpu());
  // Copies `values` (numel must equal shape's product; an empty shape argument
  // means the 1-D shape {values.size()}). Throws foley::Error on a mismatch.
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape = {});
  static Tensor from_vector(const std::vector<int32_t>& values, const Shape& shape = {});
  static Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape = {});
  // 0, 1, ..., n-1 as a 1-D tensor of `dtype`.
  static Tensor arange(int64_t n, DType dtype = DType::kI64);
  // A view of existing storage: `shape`/`dtype` starting at `byte_offset`.
  // Throws foley::Error if the span does not fit in the storage.
  static Tensor from_storage(std::shared_ptr<Storage> storage, size_t byte_offset, const Shape& shape,
                             DType dtype);

  // --- properties -----------------------------------------------------------
  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  const Shape& shape() const { return shape_; }
  // Number of dims.
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  // Size of dim `d`; negative d counts from the end (-1 = last). Throws on a bad dim.
  int64_t size(int64_t d) const;
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  // Always true today (every tensor is dense row-major); kept for model code
  // that wants to state its assumption.
  bool is_contiguous() const { return true; }
  // "f32[2, 8, 256, 16] cpu" for messages.
  std::string to_string() const;
  // Normalises a possibly negative dim index against dim(); throws on out of range.
  int64_t wrap_dim(int64_t d) const;

  // Typed pointer to the first element. Throws foley::Error if T does not match
  // dtype (float=f32, uint16_t=f16 or bf16, int32_t, int64_t) or the tensor is
  // undefined or not on the CPU.
  template <typename T>
  T* data();
  template <typename T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  size_t storage_offset() const { return offset_; }
  // True when both tensors view the same Storage.
  bool shares_storage(const Tensor& other) const { return storage_ && storage_ == other.storage_; }

  // --- conversions ----------------------------------------------------------
  // This tensor in `dtype`: returns *this (no copy) when already that dtype.
  Tensor to(DType dtype) const;
  // This tensor on `device`: returns *this when already there; throws
  // foley::Error when the device is not available in this build.
  Tensor to(Device device) const;
  // Deep copy into fresh owned storage.
  Tensor clone() const;
  // Returns *this (tensors are always contiguous); kept for model code clarity.
  Tensor contiguous() const { return *this; }
  // The single element of a 1-element tensor as a double (any dtype).
  double item() const;
  // All elements converted to f32 / i64, in row-major order (tests, debugging).
  std::vector<float> to_vector_f32() const;
  std::vector<int64_t> to_vector_i64() const;

  // --- views (share storage) ------------------------------------------------
  // Same data, new shape; one dim may be -1 (inferred). Throws foley::Error
  // when the element counts differ.
  Tensor reshape(const Shape& shape) const;
  // Inserts a size-1 dim at `d` (d may be dim(), or negative: -1 appends).
  Tensor unsqueeze(int64_t d) const;
  // Removes dim `d`, which must have size 1.
  Tensor squeeze(int64_t d) const;
  // Flattens dims [start, end] (inclusive, negative allowed) into one.
  Tensor flatten(int64_t start = 0, int64_t end = -1) const;

  // --- slicing (a view when the slice is contiguous, otherwise a copy) -------
  // Elements [start, start+length) along `d`. A view when every dim before `d`
  // has size 1 (e.g. narrowing dim 0), a copy otherwise. Negative start counts
  // from the end. Throws foley::Error when out of range.
  Tensor narrow(int64_t d, int64_t start, int64_t length) const;
  // Python-style slice [start, end) with step >= 1 along `d`; negative indices
  // count from the end and are clamped like Python's.
  Tensor slice(int64_t d, int64_t start, int64_t end, int64_t step = 1) const;
  // Index `index` along `d`, removing that dim (x.select(1, -1) = x[:, -1]).
  Tensor select(int64_t d, int64_t index) const;

  // --- layout changes (materialise) ------------------------------------------
  // Reorders dims: result dim i = input dim perm[i]. A copy (a view if perm is
  // the identity).
  Tensor permute(const std::vector<int64_t>& perm) const;
  // Swaps two dims (a copy).
  Tensor transpose(int64_t d0, int64_t d1) const;

 private:
  std::shared_ptr<Storage> storage_;
  size_t offset_ = 0;  // in bytes
  Shape shape_;
  int64_t numel_ = 0;
  DType dtype_ = DType::kF32;
  Device device_;
};

}  // namespace foley::tensor
