#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace foley {

// A 128-bit XXH3 digest, printed as 32 lowercase hex characters.
struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;
  std::string hex() const;
  bool operator==(const Hash128&) const = default;
};

Hash128 xxh3_128(std::string_view bytes);

// Streams a file through XXH3-128. Throws foley::Error naming the path.
Hash128 xxh3_128_file(const std::filesystem::path& path);

// A hash over every regular file under `dir`, hidden names (a part starting
// with '.') skipped: each file's relative name and file_hash(path), in sorted
// name order. Model fingerprints are this over a model folder (plan's with
// hashes cached in the index, the CLAP scorer's with xxh3_128_file). Throws
// foley::Error when `dir` is not a readable directory.
std::string folder_hash(const std::filesystem::path& dir,
                        const std::function<std::string(const std::filesystem::path&)>& file_hash);

// Incremental hashing, for content hashes of folders and streams.
class Hasher128 {
 public:
  Hasher128();
  ~Hasher128();
  Hasher128(const Hasher128&) = delete;
  Hasher128& operator=(const Hasher128&) = delete;
  void update(std::string_view bytes);
  Hash128 digest() const;

 private:
  void* state_;
};

}  // namespace foley
