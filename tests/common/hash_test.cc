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

TEST_CASE("folder_hash covers relative names and file hashes in name order, skipping hidden entries") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "foley-folder-hash-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  fs::create_directories(dir / ".git");
  foley::write_file_atomic(dir / "b.json", "{}");
  foley::write_file_atomic(dir / "sub" / "a.bin", "weights");
  foley::write_file_atomic(dir / ".git" / "HEAD", "ref");
  auto content = [](const fs::path& p) { return foley::xxh3_128_file(p).hex(); };
  // The documented scheme, spelled out: "<rel>\0<file hash>\n" per file, sorted by relative name.
  foley::Hasher128 expected;
  for (const auto& [rel, path] : {std::pair{"b.json", dir / "b.json"}, std::pair{"sub/a.bin", dir / "sub" / "a.bin"}}) {
    expected.update(rel);
    expected.update(std::string_view("\0", 1));
    expected.update(content(path));
    expected.update("\n");
  }
  const std::string h = foley::folder_hash(dir, content);
  CHECK(h == expected.digest().hex());
  foley::write_file_atomic(dir / ".git" / "HEAD", "other");  // hidden: no change
  CHECK(foley::folder_hash(dir, content) == h);
  foley::write_file_atomic(dir / "sub" / "a.bin", "weights2");
  CHECK(foley::folder_hash(dir, content) != h);
  CHECK_THROWS(foley::folder_hash(dir / "missing", content));
  fs::remove_all(dir);
}
