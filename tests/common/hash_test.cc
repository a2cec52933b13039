#include <catch2/catch.hpp>

#include <filesystem>

#include "common/atomic_file.h"
#include "common/hash.h"

TEST_CASE("xxh3_128 of known inputs is pinned") {
  // Values from the reference xxhsum (`xxh128sum`) of the same bytes.
  CHECK(foley::xxh3_128("").hex() == "99aa06d3014798d86001c324468d497f");
  CHECK(foley::xxh3_128("foley").hex().size() == 32);
  CHECK(foley::xxh3_128("foley") == foley::xxh3_128("foley"));
  CHECK_FALSE(foley::xxh3_128("foley") == foley::xxh3_128("foley "));
}

TEST_CASE("streaming and file hashing agree with one-shot hashing") {
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  auto path = std::filesystem::temp_directory_path() / "foley-hash-test.bin";
  foley::write_file_atomic(path, data);
  CHECK(foley::xxh3_128_file(path) == foley::xxh3_128(data));
  foley::Hasher128 h;
  h.update(std::string_view(data).substr(0, 1000));
  h.update(std::string_view(data).substr(1000));
  CHECK(h.digest() == foley::xxh3_128(data));
  std::filesystem::remove(path);
}
