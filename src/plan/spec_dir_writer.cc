#include "plan/spec_dir_writer.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"

namespace foley::plan {
namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Packs, and the one-file-per-spec layout of earlier versions (removed as
// orphans by the first plan after an upgrade). Temp files end the same way.
bool is_spec_file(std::string_view name) { return ends_with(name, ".specs") || ends_with(name, ".json"); }

}  // namespace

SpecDirWriter::SpecDirWriter(fs::path dir) : dir_(std::move(dir)) {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return;  // nothing written yet: every spec is new
  while (const dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (is_spec_file(name)) listed_.emplace(name);
  }
  ::closedir(d);

  std::error_code ec;
  if (!fs::exists(dir_ / ".state", ec)) return;
  previous_text_ = read_file(dir_ / ".state");
  const std::string& state = previous_text_;
  previous_.reserve(listed_.size());
  // One line per file: the name first, the content hash last (older states
  // had size, mtime and inode in between).
  size_t pos = 0;
  while (pos < state.size()) {
    size_t end = state.find('\n', pos);
    if (end == std::string::npos) end = state.size();
    std::string_view line(state.data() + pos, end - pos);
    size_t first = line.find(' '), last = line.rfind(' ');
    if (first != std::string_view::npos && last + 1 < line.size())
      previous_.emplace(std::string(line.substr(0, first)), std::string(line.substr(last + 1)));
    pos = end + 1;
  }
  state_valid_ = true;
}

void SpecDirWriter::invalidate_state() {
  if (!state_valid_) return;
  if (::unlink((dir_ / ".state").c_str()) != 0 && errno != ENOENT)
    throw Error::failure("cannot remove " + (dir_ / ".state").string() + ": " + std::strerror(errno));
  state_valid_ = false;
}

std::string spec_hash(std::string_view content) { return xxh3_128(content).hex(); }

void SpecDirWriter::write(const std::string& name, std::string_view content) {
  write(name, content, spec_hash(content));
}

void SpecDirWriter::write(const std::string& name, std::string_view content, std::string hash) {
  auto it = previous_.find(name);
  bool unchanged = it != previous_.end() && it->second == hash && listed_.count(name);
  if (!unchanged) {
    invalidate_state();
    write_file_atomic(dir_ / name, content, Durability::kDerived);
    ++written_;
  }
  if (current_names_.insert(name).second) current_.emplace_back(name, std::move(hash));
}

void SpecDirWriter::finish() {
  for (const auto& name : listed_) {
    if (current_names_.count(name)) continue;
    invalidate_state();
    if (::unlink((dir_ / name).c_str()) == 0) ++removed_;
  }
  if (current_.empty() && listed_.empty() && !state_valid_) {
    std::error_code ec;
    if (!fs::exists(dir_, ec)) return;  // an empty plan creates no directory
  }
  std::string state;
  state.reserve(current_.size() * 80);
  for (const auto& [name, hash] : current_) {
    state += name;
    state += ' ';
    state += hash;
    state += '\n';
  }
  if (state_valid_ && state == previous_text_) return;
  write_file_atomic(dir_ / ".state", state, Durability::kDerived);
}

}  // namespace foley::plan
