#include "plan/project_identity.h"

#include <cstdint>
#include <exception>
#include <random>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"

namespace foley::plan {

namespace fs = std::filesystem;

namespace {

std::string random_id() {
  std::random_device device;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    uint32_t word = device();
    for (int j = 0; j < 8; ++j, word >>= 4) out += kHex[word & 15u];
  }
  return out;
}

bool valid_id(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string read_id(const fs::path& path) {
  std::string text = read_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!valid_id(text))
    throw Error(path.string() + ": not a project id (32 lowercase hex digits); delete it to make a new one");
  return text;
}

// A new id never replaces one another process made first: that one is read.
std::string create_id(const fs::path& path) {
  write_file_exclusive(path, random_id() + "\n");
  return read_id(path);
}

}  // namespace

std::string project_history_id(const fs::path& root, const std::string& name) {
  const fs::path path = root / ".foley" / "project-id";
  std::error_code ec;
  if (fs::exists(path, ec)) return name + "#" + read_id(path);
  try {
    return name + "#" + create_id(path);
  } catch (const std::exception& e) {  // foley::Error or a filesystem_error
    log_verbose(std::string(e.what()) + "; cue histories are kept under the project's name alone");
    return name;
  }
}

}  // namespace foley::plan
