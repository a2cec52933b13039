#pragma once

#include <cstdint>
#include <filesystem>
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
