#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace foley::tensor {

// One entry of a safetensors header, after validation.
struct SafetensorsEntry {
  std::string name;
  std::string dtype_name;  // as written in the file: "F32", "BF16", "BOOL", ...
  bool supported = false;  // dtype maps to a foley DType (F32 F16 BF16 I32 I64)
  DType dtype = DType::kF32;  // meaningful only when supported
  Shape shape;
  uint64_t begin = 0;  // byte offsets relative to the start of the data section
  uint64_t end = 0;
};

// A parsed, validated safetensors header.
struct SafetensorsHeader {
  uint64_t data_offset = 0;  // 8 + header length: where the data section starts
  std::vector<SafetensorsEntry> entries;  // sorted by begin offset
  std::map<std::string, std::string> metadata;  // "__metadata__" (string values)
};

// Validates the header of a safetensors file whose complete contents are
// `bytes`, touching nothing past the header except to check sizes. Checks: the
// 8-byte little-endian length fits in the file and is < 100 MB; the JSON parses
// and is an object; each entry has a known dtype string (F64, I8, U8, BOOL,
// F8_* ... are recognised and validated but marked unsupported), a shape of
// non-negative dims with no overflow, data_offsets [begin, end] with
// numel x dtype size == end - begin, all spans inside the data section and no
// two spans overlapping. `display_name` (usually the path) starts every
// message. Throws foley::Error (input) naming the file and the tensor.
SafetensorsHeader parse_safetensors_header(std::string_view bytes, const std::string& display_name);

// A safetensors file mapped read-only into memory, validated on open. Tensors
// are zero-copy views into the mapping (the mapping lives as long as any of
// them); a tensor whose data is not aligned for its dtype is copied instead.
class SafetensorsFile {
 public:
  // mmaps and validates `path`. Throws foley::Error naming the path on any
  // problem (missing, unreadable, corrupt or truncated).
  static SafetensorsFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const SafetensorsHeader& header() const { return header_; }
  // Tensor names in file (offset) order.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  // The entry for `name`; throws foley::Error naming the file and tensor when absent.
  const SafetensorsEntry& entry(const std::string& name) const;
  // A view of tensor `name`. Throws foley::Error naming file and tensor when
  // it is absent or its dtype is unsupported.
  Tensor get(const std::string& name) const;

 private:
  std::filesystem::path path_;
  SafetensorsHeader header_;
  std::shared_ptr<Storage> mapping_;  // the whole file
};

// Writes `tensors` (any device; copied to the CPU) as a safetensors file,
// atomically (temp file + rename). Keys are sorted, data 8-byte aligned as the
// Python writer does; `metadata` goes under "__metadata__" when non-empty.
void save_safetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The bytes save_safetensors would write (tests, fuzz seeds).
std::string serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

// All the weights of one model component, e.g. `<model>/unet`, loaded lazily
// from its safetensors file(s) and kept mapped, and the Placement the model
// built from them lives on. Weights move to that device once, when the model
// takes them (get / get_table / place); on the CPU placement they stay f32
// zero-copy views of the mapping where the file stores f32.
class WeightMap {
 public:
  WeightMap() = default;

  // Loads the component folder `dir`: if `model.safetensors.index.json` or
  // `diffusion_pytorch_model.safetensors.index.json` exists, the shards it
  // names (weight_map); otherwise `model.safetensors` or
  // `diffusion_pytorch_model.safetensors`; otherwise every *.safetensors in the
  // folder. A tensor name present in two files is an error. Throws foley::Error
  // naming the folder when nothing loadable is found (pickle .bin files are
  // refused by name).
  static WeightMap load_dir(const std::filesystem::path& dir, const Placement& placement = {});
  // A single file.
  static WeightMap load_file(const std::filesystem::path& path, const Placement& placement = {});

  // The same files (shared, not re-read) with another placement, e.g. the CPU
  // one to assemble a weight on the host before place() moves it.
  WeightMap with_placement(const Placement& placement) const;

  // Where the weights came from (folder or file), for messages.
  const std::filesystem::path& source() const { return source_; }
  // Where the tensors get() returns live, and in which dtype matrices are kept.
  const Placement& placement() const { return placement_; }
  bool contains(const std::string& name) const;
  // All tensor names, sorted.
  std::vector<std::string> names() const;
  // The tensor `name` as stored (may be f16/bf16), on the CPU. Throws
  // foley::Error naming the source and tensor when missing.
  Tensor get(const std::string& name) const;
  // A parameter the ops read: `name`, checked against `expected_shape` (throws
  // foley::Error naming the tensor, expected and actual shape), on the
  // placement's device; a matrix (rank >= 2: linear and convolution weights)
  // in placement().matrix_dtype, anything else (biases, norm weights) in f32.
  Tensor get(const std::string& name, const Shape& expected_shape) const;
  // Like get(name, shape), in exactly `dtype` whatever the rank.
  Tensor get(const std::string& name, const Shape& expected_shape, DType dtype) const;
  // A table the model looks rows up in by id (word, position and token-type
  // embeddings, relative-attention buckets) or reads on the host: f32 on the
  // placement's device whatever its rank, never in the matrix dtype.
  Tensor get_table(const std::string& name, const Shape& expected_shape) const;
  // A tensor the model assembled on the CPU from this map's weights (e.g.
  // fused q/k/v matrices), placed by the rule get(name, shape) follows.
  Tensor place(const Tensor& host_tensor) const;
  // Total bytes of all tensors as stored.
  uint64_t total_bytes() const;

 private:
  std::filesystem::path source_;
  Placement placement_;
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> index_;
};

}  // namespace foley::tensor
