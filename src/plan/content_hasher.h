#pragma once

#include <filesystem>
#include <string>

namespace foley::plan {

// Content hashes of files and folders that enter keys (`source` files, model
// folders). The CLI implements it over the index's (path, size, mtime, inode)
// cache so unchanged files are never re-read; tests use a plain implementation.
class ContentHasher {
 public:
  virtual ~ContentHasher() = default;
  // XXH3-128 hex of a file's bytes.
  virtual std::string file_hash(const std::filesystem::path& path) = 0;
  // A hash over every regular file of a folder (relative names and contents).
  virtual std::string folder_hash(const std::filesystem::path& dir) = 0;
};

}  // namespace foley::plan
