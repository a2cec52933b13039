#include "request/object_link.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley {
namespace fs = std::filesystem;

namespace {

// `path` relative to `root` when it lies inside it, else empty.
fs::path inside(const fs::path& root, const fs::path& path) {
  fs::path rel = fs::absolute(path).lexically_normal().lexically_relative(fs::absolute(root).lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return {};
  return rel;
}

}  // namespace

fs::path object_link_path(const std::string& gen_key, const std::string& ext) {
  return fs::path(kObjectLinksDir) / gen_key.substr(0, 2) / (gen_key + "." + ext);
}

void link_object(const fs::path& root, const fs::path& link, const fs::path& object) {
  const fs::path at = link.is_absolute() ? link : root / link;
  fs::path target = fs::absolute(object).lexically_normal();
  if (fs::path rel = inside(root, object); !rel.empty()) {
    const fs::path link_dir = inside(root, at.parent_path());
    target = rel.lexically_relative(link_dir.empty() ? fs::path(".") : link_dir);
  }
  std::error_code ec;
  if (fs::read_symlink(at, ec) == target && !ec) return;
  fs::create_directories(at.parent_path(), ec);
  // A temp name TempFile's sweeps recognise, renamed over the link.
  const fs::path tmp = at.parent_path() / (".tmp-" + std::to_string(::getpid()) + "." + at.filename().string());
  fs::remove(tmp, ec);
  if (::symlink(target.c_str(), tmp.c_str()) != 0)
    throw Error::failure("cannot link " + at.string() + " to " + target.string() + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), at.c_str()) != 0) {
    const int err = errno;
    fs::remove(tmp, ec);
    throw Error::failure("cannot link " + at.string() + " to " + target.string() + ": " + std::strerror(err));
  }
}

void write_object_links_cache(const fs::path& root, const fs::path& cache_dir) {
  fs::path rel = inside(root, cache_dir);
  const std::string text = (rel.empty() ? fs::absolute(cache_dir).lexically_normal() : rel).string() + "\n";
  const fs::path file = root / kObjectLinksCacheFile;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    std::string old;
    try {
      old = read_file(file);
    } catch (const Error&) {
    }
    if (old == text) return;
  }
  // Another cache (or the first plan since links exist): no link may survive.
  for (fs::directory_iterator it(root / kObjectLinksDir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory()) fs::remove_all(it->path(), ec);
  write_file_atomic(file, text, Durability::kDerived);
}

}  // namespace foley
