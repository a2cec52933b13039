#pragma once

#include <filesystem>
#include <string>

#include "common/unique_fd.h"

namespace foley {

// An exclusive flock on a file (created 0600), held until destroyed or
// released. The kernel drops it when the process dies, so it is safe
// against `kill -9`. The descriptor is close-on-exec: a process started
// while it is held does not inherit it.
class FileLock {
 public:
  // Waits for the lock when `wait`, else valid() is false when it is busy.
  // Throws foley::Error when the file cannot be opened.
  FileLock(const std::filesystem::path& path, bool wait);

  // Tries for up to `seconds`; valid() is false if it never got it.
  static FileLock try_for(const std::filesystem::path& path, double seconds);

  // One of `count` interchangeable locks `<dir>/<name>.<i>` (i < count): a
  // counting semaphore shared by every process of the host that names the
  // same files, released like any FileLock. Waits until one is free.
  static FileLock any_of(const std::filesystem::path& dir, const std::string& name, int count);

  bool valid() const { return fd_.valid(); }
  void release() { fd_.reset(); }

 private:
  FileLock() = default;
  UniqueFd fd_;
};

}  // namespace foley
