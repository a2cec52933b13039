#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace foley {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

void fsync_dir(const fs::path& dir) {
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

TempFile::TempFile(const fs::path& final_path) : final_path_(final_path) {
  fs::path dir = final_path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error::failure("cannot create directory " + dir.string() + ": " + ec.message());
  }
  // The final name is kept as the suffix so tools that pick a format from the
  // extension (sox, libsndfile) write the right one to the temp file.
  std::string suffix = "." + final_path.filename().string();
  std::string templ = (dir / (".tmp-XXXXXX" + suffix)).string();
  fd_ = ::mkstemps(templ.data(), static_cast<int>(suffix.size()));
  if (fd_ < 0) throw Error::failure("cannot create temp file for " + final_path.string() + ": " + errno_text());
  ::fchmod(fd_, 0644);
  temp_path_ = templ;
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void TempFile::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error::failure("cannot write " + temp_path_.string() + ": " + errno_text());
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void TempFile::truncate() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
    throw Error::failure("cannot truncate " + temp_path_.string() + ": " + errno_text());
}

void TempFile::commit(Durability durability) {
  bool durable = durability == Durability::kDurable;
  if (durable && ::fsync(fd_) != 0)
    throw Error::failure("cannot fsync " + temp_path_.string() + ": " + errno_text());
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    throw Error::failure("cannot rename into " + final_path_.string() + ": " + errno_text());
  committed_ = true;
  if (durable) fsync_dir(final_path_.parent_path());
}

bool TempFile::commit_if_absent(Durability durability) {
  bool durable = durability == Durability::kDurable;
  if (durable && ::fsync(fd_) != 0)
    throw Error::failure("cannot fsync " + temp_path_.string() + ": " + errno_text());
  ::close(fd_);
  fd_ = -1;
  if (::link(temp_path_.c_str(), final_path_.c_str()) != 0) {
    if (errno == EEXIST) return false;  // the destructor removes the temp file
    throw Error::failure("cannot link into " + final_path_.string() + ": " + errno_text());
  }
  ::unlink(temp_path_.c_str());
  committed_ = true;
  if (durable) fsync_dir(final_path_.parent_path());
  return true;
}

bool is_temp_name(const std::string& filename) { return filename.rfind(".tmp-", 0) == 0; }

void write_file_atomic(const fs::path& path, std::string_view content, Durability durability) {
  TempFile tmp(path);
  tmp.write(content);
  tmp.commit(durability);
}

bool write_file_exclusive(const fs::path& path, std::string_view content, unsigned mode) {
  TempFile tmp(path);
  if (::fchmod(tmp.fd(), static_cast<mode_t>(mode)) != 0)
    throw Error::failure("cannot set the mode of " + tmp.path().string() + ": " + errno_text());
  tmp.write(content);
  return tmp.commit_if_absent();
}

bool write_file_if_changed(const fs::path& path, std::string_view content, Durability durability) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size == content.size() && read_file(path) == content) return false;
  write_file_atomic(path, content, durability);
  return true;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + ": " + errno_text());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace foley
