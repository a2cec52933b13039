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

bool hidden(const fs::path& relative) {
  for (const auto& part : relative)
    if (!part.empty() && part.string()[0] == '.') return true;
  return false;
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
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir.string() + " is not a directory");
  std::vector<std::pair<std::string, fs::path>> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) throw Error("cannot list " + dir.string() + ": " + ec.message());
    fs::path rel = it->path().lexically_relative(dir);
    if (hidden(rel)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.emplace_back(rel.generic_string(), it->path());
  }
  std::sort(files.begin(), files.end());
  Hasher128 h;
  for (const auto& [rel, path] : files) {
    h.update(rel);
    h.update(std::string_view("\0", 1));
    h.update(cached_file_hash(index, path));
    h.update("\n");
  }
  return h.digest().hex();
}

}  // namespace foley::cache
