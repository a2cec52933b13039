#include "common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "common/error.h"

namespace foley {
namespace {

UniqueFd open_lock_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) throw Error::failure("cannot open lock file " + path.string() + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, bool wait) {
  fd_ = open_lock_file(path);
  int rc;
  do {
    rc = ::flock(fd_.get(), LOCK_EX | (wait ? 0 : LOCK_NB));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) fd_.reset();
}

FileLock FileLock::try_for(const std::filesystem::path& path, double seconds) {
  FileLock lock;
  lock.fd_ = open_lock_file(path);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    if (::flock(lock.fd_.get(), LOCK_EX | LOCK_NB) == 0) return lock;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  lock.fd_.reset();
  return lock;
}

FileLock FileLock::any_of(const std::filesystem::path& dir, const std::string& name, int count) {
  std::filesystem::create_directories(dir);
  std::string file = name;
  for (char& c : file)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  std::vector<UniqueFd> fds;
  for (int i = 0; i < std::max(1, count); ++i) fds.push_back(open_lock_file(dir / (file + "." + std::to_string(i))));
  for (;;) {
    for (auto& fd : fds) {
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
        FileLock lock;
        lock.fd_ = std::move(fd);
        return lock;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace foley
