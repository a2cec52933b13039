#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "cache/content_hash.h"
#include "cache/index.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

namespace {

void set_age(const fs::path& p, std::chrono::seconds age) {
  fs::last_write_time(p, fs::file_time_type::clock::now() - age);
}

// Overwrites the bytes in place: same inode, same size.
void overwrite_in_place(const fs::path& p, const std::string& bytes) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(0);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("cached_file_hash re-hashes only when size, mtime or inode change") {
  TempCacheDir dir;
  Index index(dir.path() / "cache");
  fs::path file = dir.path() / "weights.bin";
  foley::write_file_atomic(file, "AAAAAAAA");
  set_age(file, std::chrono::hours(1));
  auto mtime = fs::last_write_time(file);

  std::string first = cached_file_hash(index, file);
  CHECK(first == foley::xxh3_128("AAAAAAAA").hex());

  // Same size, same inode, mtime restored: the stat triple matches, so the
  // remembered hash is returned without reading the bytes (proof the cache is used).
  overwrite_in_place(file, "BBBBBBBB");
  fs::last_write_time(file, mtime);
  CHECK(cached_file_hash(index, file) == first);

  // A new mtime makes it hash again.
  set_age(file, std::chrono::hours(2));
  CHECK(cached_file_hash(index, file) == foley::xxh3_128("BBBBBBBB").hex());

  // A new size too, even with the old mtime.
  auto mtime2 = fs::last_write_time(file);
  foley::write_file_atomic(file, "CCCCCCCCCCCC");
  fs::last_write_time(file, mtime2);
  CHECK(cached_file_hash(index, file) == foley::xxh3_128("CCCCCCCCCCCC").hex());
}

TEST_CASE("a file with a new inode is re-hashed even with equal size and mtime") {
  TempCacheDir dir;
  Index index(dir.path() / "cache");
  fs::path file = dir.path() / "w.bin";
  foley::write_file_atomic(file, "1111");
  set_age(file, std::chrono::hours(1));
  auto mtime = fs::last_write_time(file);
  CHECK(cached_file_hash(index, file) == foley::xxh3_128("1111").hex());
  foley::write_file_atomic(file, "2222");  // rename over: new inode
  fs::last_write_time(file, mtime);
  CHECK(cached_file_hash(index, file) == foley::xxh3_128("2222").hex());
}

TEST_CASE("a just-modified file is hashed but not remembered") {
  TempCacheDir dir;
  Index index(dir.path() / "cache");
  fs::path file = dir.path() / "fresh.bin";
  foley::write_file_atomic(file, "fresh");
  CHECK(cached_file_hash(index, file) == foley::xxh3_128("fresh").hex());
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK_FALSE(index.lookup_content_hash(fs::absolute(file).lexically_normal().string(), st.st_size,
                                        st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                                        static_cast<int64_t>(st.st_ino)));
}

TEST_CASE("cached_file_hash of a missing file is an error naming it") {
  TempCacheDir dir;
  Index index(dir.path() / "cache");
  CHECK_THROWS_WITH(cached_file_hash(index, dir.path() / "nope.bin"), Catch::Contains("nope.bin"));
}

TEST_CASE("cached_folder_hash covers names and contents, skips dotfiles, ignores mtime") {
  TempCacheDir dir;
  Index index(dir.path() / "cache");
  fs::path model = dir.path() / "model";
  foley::write_file_atomic(model / "config.json", "{}");
  foley::write_file_atomic(model / "unet" / "weights.safetensors", "unet bytes");
  foley::write_file_atomic(model / ".git" / "HEAD", "ref");
  std::string h1 = cached_folder_hash(index, model);
  CHECK(h1.size() == 32);
  CHECK(cached_folder_hash(index, model) == h1);

  foley::write_file_atomic(model / ".cache" / "lock", "x");
  foley::write_file_atomic(model / ".DS_Store", "x");
  CHECK(cached_folder_hash(index, model) == h1);

  set_age(model / "config.json", std::chrono::hours(3));
  CHECK(cached_folder_hash(index, model) == h1);

  foley::write_file_atomic(model / "unet" / "weights.safetensors", "unet bytez");
  std::string h2 = cached_folder_hash(index, model);
  CHECK(h2 != h1);

  fs::rename(model / "config.json", model / "config2.json");
  std::string h3 = cached_folder_hash(index, model);
  CHECK(h3 != h2);

  foley::write_file_atomic(model / "vae" / "w.bin", "v");
  CHECK(cached_folder_hash(index, model) != h3);

  CHECK_THROWS_AS(cached_folder_hash(index, dir.path() / "absent"), foley::Error);
}
