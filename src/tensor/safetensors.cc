#include "tensor/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::tensor {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
constexpr size_t kMaxRank = 16;

struct DTypeInfo {
  const char* name;
  uint64_t size;
  bool supported;
  DType dtype;
};

// Every dtype the safetensors format defines; only five map to foley dtypes.
constexpr DTypeInfo kDTypes[] = {
    {"F32", 4, true, DType::kF32},   {"F16", 2, true, DType::kF16},    {"BF16", 2, true, DType::kBF16},
    {"I32", 4, true, DType::kI32},   {"I64", 8, true, DType::kI64},    {"F64", 8, false, DType::kF32},
    {"I16", 2, false, DType::kF32},  {"I8", 1, false, DType::kF32},    {"U8", 1, false, DType::kF32},
    {"U16", 2, false, DType::kF32},  {"U32", 4, false, DType::kF32},   {"U64", 8, false, DType::kF32},
    {"BOOL", 1, false, DType::kF32}, {"F8_E4M3", 1, false, DType::kF32}, {"F8_E5M2", 1, false, DType::kF32},
};

const DTypeInfo* find_dtype(const std::string& name) {
  for (const DTypeInfo& info : kDTypes)
    if (name == info.name) return &info;
  return nullptr;
}

const char* safetensors_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
    case DType::kI32: return "I32";
    case DType::kI64: return "I64";
  }
  return "?";
}

[[noreturn]] void header_error(const std::string& file, const std::string& tensor, const std::string& message) {
  if (tensor.empty()) throw Error(file + ": invalid safetensors file: " + message);
  throw Error(file + ": invalid safetensors file: tensor \"" + tensor + "\": " + message);
}

uint64_t read_u64_le(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

SafetensorsEntry parse_entry(const std::string& file, const std::string& name, const nlohmann::json& value,
                             uint64_t data_size) {
  SafetensorsEntry e;
  e.name = name;
  if (!value.is_object()) header_error(file, name, "entry is not a JSON object");
  auto dtype_it = value.find("dtype");
  if (dtype_it == value.end() || !dtype_it->is_string()) header_error(file, name, "missing \"dtype\" string");
  e.dtype_name = dtype_it->get<std::string>();
  const DTypeInfo* info = find_dtype(e.dtype_name);
  if (!info) header_error(file, name, "unknown dtype \"" + e.dtype_name + "\"");
  e.supported = info->supported;
  e.dtype = info->dtype;

  auto shape_it = value.find("shape");
  if (shape_it == value.end() || !shape_it->is_array()) header_error(file, name, "missing \"shape\" array");
  if (shape_it->size() > kMaxRank)
    header_error(file, name, "shape has " + std::to_string(shape_it->size()) + " dims (at most 16 supported)");
  uint64_t numel = 1;
  bool overflow = false;
  for (const auto& dim : *shape_it) {
    if (!dim.is_number_unsigned()) header_error(file, name, "shape " + shape_it->dump() + " has a non-integer or negative dim");
    const uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(INT64_MAX)) header_error(file, name, "absurd dim " + std::to_string(d));
    if (d != 0 && numel > UINT64_MAX / d) overflow = true;
    numel = overflow ? numel : numel * d;
    e.shape.push_back(static_cast<int64_t>(d));
  }
  if (!overflow && numel > UINT64_MAX / info->size) overflow = true;
  if (overflow) header_error(file, name, "shape " + shape_it->dump() + " overflows the size of any file");
  const uint64_t bytes = numel * info->size;

  auto offsets_it = value.find("data_offsets");
  if (offsets_it == value.end() || !offsets_it->is_array() || offsets_it->size() != 2 ||
      !(*offsets_it)[0].is_number_unsigned() || !(*offsets_it)[1].is_number_unsigned())
    header_error(file, name, "\"data_offsets\" must be two non-negative integers");
  e.begin = (*offsets_it)[0].get<uint64_t>();
  e.end = (*offsets_it)[1].get<uint64_t>();
  if (e.end < e.begin) header_error(file, name, "data_offsets " + offsets_it->dump() + " end before they begin");
  if (e.end - e.begin != bytes)
    header_error(file, name,
                 "shape " + shape_it->dump() + " of " + e.dtype_name + " needs " + std::to_string(bytes) +
                     " bytes but data_offsets " + offsets_it->dump() + " span " + std::to_string(e.end - e.begin));
  if (e.end > data_size)
    header_error(file, name, "data_offsets " + offsets_it->dump() + " run past the end of the data section (" +
                                 std::to_string(data_size) + " bytes; file truncated?)");
  return e;
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::string_view bytes, const std::string& display_name) {
  const std::string& file = display_name;
  if (bytes.size() < 8)
    header_error(file, "", "file is " + std::to_string(bytes.size()) + " bytes, too short for the 8-byte header length");
  const uint64_t header_len = read_u64_le(bytes.data());
  if (header_len > kMaxHeaderBytes)
    header_error(file, "", "header length " + std::to_string(header_len) + " exceeds the 100 MB limit");
  if (header_len > bytes.size() - 8)
    header_error(file, "", "header length " + std::to_string(header_len) + " runs past the end of the file (" +
                               std::to_string(bytes.size()) + " bytes; truncated?)");
  if (header_len < 2) header_error(file, "", "header is too short to be a JSON object");
  const std::string_view json_text = bytes.substr(8, header_len);
  nlohmann::json root = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (root.is_discarded()) header_error(file, "", "header is not valid JSON");
  if (!root.is_object()) header_error(file, "", "header is not a JSON object");

  SafetensorsHeader header;
  header.data_offset = 8 + header_len;
  const uint64_t data_size = bytes.size() - header.data_offset;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) header_error(file, "", "__metadata__ is not a JSON object");
      for (auto m = it->begin(); m != it->end(); ++m)
        header.metadata[m.key()] = m->is_string() ? m->get<std::string>() : m->dump();
      continue;
    }
    header.entries.push_back(parse_entry(file, it.key(), it.value(), data_size));
  }
  std::sort(header.entries.begin(), header.entries.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry& e : header.entries) {
    if (e.begin == e.end) continue;  // empty tensors occupy no bytes
    if (previous && e.begin < previous->end)
      header_error(file, e.name, "data [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                     ") overlaps tensor \"" + previous->name + "\" [" + std::to_string(previous->begin) +
                                     ", " + std::to_string(previous->end) + ")");
    previous = &e;
  }
  return header;
}

// --- SafetensorsFile ---------------------------------------------------------------

namespace {

// Owns one read-only mapping.
struct Mapping {
  void* data = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (data) munmap(data, size);
  }
};

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(name + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error(name + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(name + ": not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    parse_safetensors_header(std::string_view(), name);  // throws the "too short" error
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (mapping->data == MAP_FAILED) {
    mapping->data = nullptr;
    throw Error(name + ": cannot mmap: " + std::strerror(err));
  }
  mapping->size = size;

  SafetensorsFile file;
  file.path_ = path;
  file.header_ = parse_safetensors_header(std::string_view(static_cast<const char*>(mapping->data), size), name);
  void* base = mapping->data;
  file.mapping_ = Storage::borrow(base, size, std::move(mapping));
  return file;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const SafetensorsEntry& e : header_.entries) out.push_back(e.name);
  return out;
}

bool SafetensorsFile::contains(const std::string& name) const {
  return std::any_of(header_.entries.begin(), header_.entries.end(),
                     [&](const SafetensorsEntry& e) { return e.name == name; });
}

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  for (const SafetensorsEntry& e : header_.entries)
    if (e.name == name) return e;
  throw Error(path_.string() + ": no tensor \"" + name + "\"");
}

Tensor SafetensorsFile::get(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  if (!e.supported)
    throw Error(path_.string() + ": tensor \"" + name + "\" has dtype " + e.dtype_name +
                ", which foley does not support (F32, F16, BF16, I32, I64)");
  const size_t offset = static_cast<size_t>(header_.data_offset + e.begin);
  const uintptr_t address = reinterpret_cast<uintptr_t>(mapping_->data()) + offset;
  Tensor view = Tensor::from_storage(mapping_, offset, e.shape, e.dtype);
  // Misaligned data (legal in the format) would be undefined behaviour to read
  // through a typed pointer: copy it into aligned memory instead.
  if (address % dtype_size(e.dtype) != 0) return view.clone();
  return view;
}

// --- writer -------------------------------------------------------------------------------

namespace {

// Tensors in data order: larger dtypes first (alignment), then by name, as the
// Python writer does.
std::vector<std::pair<std::string, Tensor>> data_order(const std::map<std::string, Tensor>& tensors) {
  std::vector<std::pair<std::string, Tensor>> order;
  for (const auto& [name, t] : tensors) {
    if (!t.defined()) throw Error("save_safetensors: tensor \"" + name + "\" is undefined");
    order.emplace_back(name, t.device().is_cpu() ? t : t.to(Device::cpu()));
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return dtype_size(a.second.dtype()) > dtype_size(b.second.dtype());
  });
  return order;
}

std::string header_bytes(const std::vector<std::pair<std::string, Tensor>>& order,
                         const std::map<std::string, std::string>& metadata) {
  nlohmann::json root = nlohmann::json::object();
  if (!metadata.empty()) root["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : order) {
    if (name == "__metadata__") throw Error("save_safetensors: \"__metadata__\" is not a valid tensor name");
    root[name] = {{"dtype", safetensors_name(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string json = root.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t len = json.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xff);
  return out + json;
}

}  // namespace

std::string serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  const auto order = data_order(tensors);
  std::string out = header_bytes(order, metadata);
  for (const auto& [name, t] : order) out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  return out;
}

void save_safetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const auto order = data_order(tensors);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  TempFile temp(path);
  temp.write(header_bytes(order, metadata));
  for (const auto& [name, t] : order) temp.write(t.raw_data(), t.nbytes());
  temp.commit();
}

}  // namespace foley::tensor
