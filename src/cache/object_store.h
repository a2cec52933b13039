#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace foley::cache {

// True for 32 lowercase hex characters (the printed XXH3-128 of a gen key).
bool is_valid_gen_key(std::string_view gen_key);

// True for an object extension: 1 to 16 ASCII letters and digits.
bool is_valid_ext(std::string_view ext);

// An object file found on disk.
struct StoredObject {
  std::string gen_key;
  std::string ext;
  std::filesystem::path path;
  int64_t size = 0;
};

// The file side of a cache directory:
//   <cache>/objects/<k[0:2]>/<gen_key>.<ext>   raw generated objects
//   <cache>/quarantine/                         corrupt objects moved aside by verify
// The file system is the truth for "present"; the Index for "what and why".
class ObjectStore {
 public:
  explicit ObjectStore(std::filesystem::path cache_dir);

  const std::filesystem::path& cache_dir() const { return cache_dir_; }
  std::filesystem::path objects_dir() const { return cache_dir_ / "objects"; }
  std::filesystem::path quarantine_dir() const { return cache_dir_ / "quarantine"; }

  // <cache>/objects/<k[0:2]>/<gen_key>.<ext>. Throws foley::Error (bad input)
  // for a malformed key or an extension that is empty or not alphanumeric.
  std::filesystem::path path_for(const std::string& gen_key, const std::string& ext) const;
  // True when the object file exists as a regular file.
  bool exists(const std::string& gen_key, const std::string& ext) const;

  // XXH3-128 hex of a file's bytes. Throws foley::Error naming the path.
  static std::string checksum(const std::filesystem::path& path);

  // Every object file under objects/ whose name parses as <gen_key>.<ext> and
  // sits in the right <k[0:2]> folder, sorted by key. Temp files and foreign
  // files are skipped (see list_foreign_files).
  std::vector<StoredObject> list_objects() const;
  // Regular files under objects/ that are neither objects nor temp files.
  std::vector<std::filesystem::path> list_foreign_files() const;

  // Removes `.tmp-*` orphans under objects/ that are at least `min_age` old (a
  // younger one may belong to a foley-gen still writing it). Returns the
  // removed paths.
  std::vector<std::filesystem::path> sweep_temp_files(
      std::chrono::seconds min_age = std::chrono::hours(1)) const;

  // Moves `path` into quarantine/ (never overwriting an earlier quarantined
  // copy) and returns its new path. Throws foley::Error on failure.
  std::filesystem::path quarantine(const std::filesystem::path& path) const;

 private:
  std::filesystem::path cache_dir_;
};

}  // namespace foley::cache
