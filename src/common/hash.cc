#include "common/hash.h"

#define XXH_INLINE_ALL  // header-only: the engine ships to bare GPU machines without libxxhash
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <utility>
#include <vector>

#include "common/error.h"

namespace foley {

std::string Hash128::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

Hash128 xxh3_128(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return {h.high64, h.low64};
}

Hasher128::Hasher128() : state_(XXH3_createState()) { XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_)); }
Hasher128::~Hasher128() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Hasher128::update(std::string_view bytes) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), bytes.data(), bytes.size());
}

Hash128 Hasher128::digest() const {
  XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  return {h.high64, h.low64};
}

Hash128 xxh3_128_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + " to hash it");
  Hasher128 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) h.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  return h.digest();
}

std::string folder_hash(const std::filesystem::path& dir,
                        const std::function<std::string(const std::filesystem::path&)>& file_hash) {
  namespace fs = std::filesystem;
  auto hidden = [](const fs::path& relative) {
    for (const auto& part : relative)
      if (!part.empty() && part.string()[0] == '.') return true;
    return false;
  };
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
    h.update(file_hash(path));
    h.update("\n");
  }
  return h.digest().hex();
}

}  // namespace foley
