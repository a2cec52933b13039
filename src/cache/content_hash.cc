#include "cache/content_hash.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "cache/index.h"
#include "common/error.h"
#include "common/hash.h"

namespace foley::cache {
namespace fs = std::filesystem;

namespace {

struct StatTriple {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t inode = 0;
  bool operator==(const StatTriple&) const = default;
};

StatTriple stat_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error("cannot stat " + path.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(path.string() + " is not a regular file");
  return {static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_ino)};
}

bool recently_modified(const StatTriple& s) {
  using namespace std::chrono;
  int64_t now_ns = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
  return now_ns - s.mtime_ns < 2'000'000'000;
}

}  // namespace

std::string cached_file_hash(Index& index, const fs::path& path) {
  std::string key = fs::absolute(path).lexically_normal().string();
  StatTriple before = stat_file(path);
  if (auto hit = index.lookup_content_hash(key, before.size, before.mtime_ns, before.inode)) return *hit;
  std::string hash = xxh3_128_file(path).hex();
  // Remember it only if the file did not change while we read it.
  if (stat_file(path) == before && !recently_modified(before))
    index.store_content_hash(key, before.size, before.mtime_ns, before.inode, hash);
  return hash;
}

std::string cached_folder_hash(Index& index, const fs::path& dir) {
  return folder_hash(dir, [&index](const fs::path& path) { return cached_file_hash(index, path); });
}

}  // namespace foley::cache
