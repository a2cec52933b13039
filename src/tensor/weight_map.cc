// WeightMap: the safetensors files of one model component folder.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
#include "tensor/safetensors.h"

namespace foley::tensor {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIndexNames[] = {"model.safetensors.index.json", "diffusion_pytorch_model.safetensors.index.json"};
constexpr const char* kSingleNames[] = {"model.safetensors", "diffusion_pytorch_model.safetensors"};

}  // namespace

WeightMap WeightMap::load_file(const fs::path& path, const Placement& placement) {
  WeightMap map;
  map.source_ = path;
  map.placement_ = placement;
  auto file = std::make_shared<SafetensorsFile>(SafetensorsFile::open(path));
  for (const SafetensorsEntry& e : file->header().entries) map.index_[e.name] = file.get();
  map.files_.push_back(std::move(file));
  return map;
}

WeightMap WeightMap::load_dir(const fs::path& dir, const Placement& placement) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir.string() + ": not a directory (expected a model component folder)");

  std::vector<fs::path> files;
  std::map<std::string, std::string> declared;  // tensor -> shard, from an index
  for (const char* index_name : kIndexNames) {
    const fs::path index_path = dir / index_name;
    if (!fs::exists(index_path)) continue;
    const nlohmann::json index = nlohmann::json::parse(read_file(index_path), nullptr, false);
    if (index.is_discarded() || !index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
      throw Error(index_path.string() + ": not a sharded-weights index (needs a \"weight_map\" object)");
    std::set<std::string> shards;
    for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
      if (!it->is_string()) throw Error(index_path.string() + ": weight_map entry \"" + it.key() + "\" is not a file name");
      const std::string shard = it->get<std::string>();
      if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..")
        throw Error(index_path.string() + ": shard name \"" + shard + "\" must be a plain file name");
      shards.insert(shard);
      declared[it.key()] = shard;
    }
    for (const std::string& shard : shards) files.push_back(dir / shard);
    break;
  }
  if (files.empty()) {
    for (const char* single : kSingleNames)
      if (fs::exists(dir / single)) {
        files.push_back(dir / single);
        break;
      }
  }
  if (files.empty()) {
    bool pickle = false;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".safetensors") files.push_back(entry.path());
      if (entry.path().extension() == ".bin" || entry.path().extension() == ".pt" || entry.path().extension() == ".ckpt")
        pickle = true;
    }
    std::sort(files.begin(), files.end());
    if (files.empty() && pickle)
      throw Error(dir.string() + ": only pickle weights (.bin/.pt/.ckpt) found; foley loads safetensors only");
    if (files.empty()) throw Error(dir.string() + ": no .safetensors weights found");
  }

  WeightMap map;
  map.source_ = dir;
  map.placement_ = placement;
  for (const fs::path& path : files) {
    auto file = std::make_shared<SafetensorsFile>(SafetensorsFile::open(path));
    for (const SafetensorsEntry& e : file->header().entries) {
      auto [it, inserted] = map.index_.emplace(e.name, file.get());
      if (!inserted)
        throw Error(dir.string() + ": tensor \"" + e.name + "\" appears in both " + it->second->path().filename().string() +
                    " and " + path.filename().string());
    }
    map.files_.push_back(std::move(file));
  }
  for (const auto& [name, shard] : declared) {
    auto it = map.index_.find(name);
    if (it == map.index_.end() || it->second->path().filename() != shard)
      throw Error(dir.string() + ": index lists tensor \"" + name + "\" in " + shard + " but it is not there");
  }
  return map;
}

bool WeightMap::contains(const std::string& name) const { return index_.count(name) != 0; }

std::vector<std::string> WeightMap::names() const {
  std::vector<std::string> out;
  for (const auto& [name, file] : index_) out.push_back(name);
  return out;
}

Tensor WeightMap::get(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw Error(source_.string() + ": missing weight \"" + name + "\"");
  return it->second->get(name);
}

WeightMap WeightMap::with_placement(const Placement& placement) const {
  WeightMap map = *this;
  map.placement_ = placement;
  return map;
}

Tensor WeightMap::get(const std::string& name, const Shape& expected_shape, DType dtype) const {
  Tensor t = get(name);
  if (t.shape() != expected_shape)
    throw Error(source_.string() + ": weight \"" + name + "\" has shape " + shape_to_string(t.shape()) + ", expected " +
                shape_to_string(expected_shape));
  // Converted on the host, so only the final bytes cross to the device.
  return t.to(dtype).to(placement_.device);
}

Tensor WeightMap::get(const std::string& name, const Shape& expected_shape) const {
  return get(name, expected_shape, expected_shape.size() >= 2 ? placement_.matrix_dtype : DType::kF32);
}

Tensor WeightMap::get_table(const std::string& name, const Shape& expected_shape) const {
  return get(name, expected_shape, DType::kF32);
}

Tensor WeightMap::place(const Tensor& host_tensor) const {
  return host_tensor.to(host_tensor.dim() >= 2 ? placement_.matrix_dtype : DType::kF32).to(placement_.device);
}

uint64_t WeightMap::total_bytes() const {
  uint64_t total = 0;
  for (const auto& file : files_)
    for (const SafetensorsEntry& e : file->header().entries) total += e.end - e.begin;
  return total;
}

}  // namespace foley::tensor
