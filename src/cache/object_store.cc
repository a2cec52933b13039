#include "cache/object_store.h"

#include <algorithm>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"
#include "request/request_spec.h"

namespace foley::cache {
namespace fs = std::filesystem;

bool is_valid_ext(std::string_view ext) {
  if (ext.empty() || ext.size() > 16) return false;
  return std::all_of(ext.begin(), ext.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

namespace {

// Splits "<gen_key>.<ext>" when both parts are valid.
bool parse_object_name(const std::string& name, std::string& gen_key, std::string& ext) {
  if (name.size() < 34 || name[32] != '.') return false;
  gen_key = name.substr(0, 32);
  ext = name.substr(33);
  return is_valid_gen_key(gen_key) && is_valid_ext(ext);
}

}  // namespace

bool is_valid_gen_key(std::string_view gen_key) {
  if (gen_key.size() != 32) return false;
  return std::all_of(gen_key.begin(), gen_key.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

ObjectStore::ObjectStore(fs::path cache_dir) : cache_dir_(std::move(cache_dir)) {}

fs::path ObjectStore::path_for(const std::string& gen_key, const std::string& ext) const {
  if (!is_valid_gen_key(gen_key))
    throw Error("cache: '" + gen_key + "' is not a gen key (32 lowercase hex characters)");
  if (!is_valid_ext(ext)) throw Error("cache: object " + gen_key + " has an invalid extension '" + ext + "'");
  return cache_object_path(cache_dir_, gen_key, ext);
}

bool ObjectStore::exists(const std::string& gen_key, const std::string& ext) const {
  std::error_code ec;
  return fs::is_regular_file(path_for(gen_key, ext), ec);
}

std::string ObjectStore::checksum(const fs::path& path) { return xxh3_128_file(path).hex(); }

std::vector<StoredObject> ObjectStore::list_objects() const {
  std::vector<StoredObject> out;
  std::error_code ec;
  if (!fs::is_directory(objects_dir(), ec)) return out;
  for (const auto& shard : fs::directory_iterator(objects_dir(), ec)) {
    if (!shard.is_directory()) continue;
    std::string prefix = shard.path().filename().string();
    for (const auto& entry : fs::directory_iterator(shard.path(), ec)) {
      if (!entry.is_regular_file()) continue;
      StoredObject obj;
      if (!parse_object_name(entry.path().filename().string(), obj.gen_key, obj.ext)) continue;
      if (obj.gen_key.compare(0, 2, prefix) != 0) continue;
      obj.path = entry.path();
      obj.size = static_cast<int64_t>(entry.file_size(ec));
      out.push_back(std::move(obj));
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
    return a.gen_key != b.gen_key ? a.gen_key < b.gen_key : a.ext < b.ext;
  });
  return out;
}

std::vector<fs::path> ObjectStore::list_foreign_files() const {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(objects_dir(), ec)) return out;
  for (auto it = fs::recursive_directory_iterator(objects_dir(), ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file()) continue;
    std::string name = it->path().filename().string();
    if (is_temp_name(name)) continue;
    std::string key, ext;
    bool in_place = parse_object_name(name, key, ext) && it.depth() == 1 &&
                    key.compare(0, 2, it->path().parent_path().filename().string()) == 0;
    if (!in_place) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> ObjectStore::sweep_temp_files(std::chrono::seconds min_age) const {
  std::vector<fs::path> removed;
  std::error_code ec;
  if (!fs::is_directory(objects_dir(), ec)) return removed;
  auto cutoff = fs::file_time_type::clock::now() - min_age;
  for (auto it = fs::recursive_directory_iterator(objects_dir(), ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file() || !is_temp_name(it->path().filename().string())) continue;
    std::error_code tec;
    auto mtime = it->last_write_time(tec);
    if (tec || mtime > cutoff) continue;
    if (fs::remove(it->path(), tec)) removed.push_back(it->path());
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

fs::path ObjectStore::quarantine(const fs::path& path) const {
  std::error_code ec;
  fs::create_directories(quarantine_dir(), ec);
  if (ec) throw Error::failure("cannot create " + quarantine_dir().string() + ": " + ec.message());
  fs::path target = quarantine_dir() / path.filename();
  for (int n = 1; fs::exists(target, ec); ++n)
    target = quarantine_dir() / (path.filename().string() + "." + std::to_string(n));
  fs::rename(path, target, ec);
  if (ec) throw Error::failure("cannot move " + path.string() + " to " + target.string() + ": " + ec.message());
  return target;
}

}  // namespace foley::cache
