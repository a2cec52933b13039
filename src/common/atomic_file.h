#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace foley {

// How hard a write insists on reaching the disk. Both are atomic (temp file +
// rename): a reader or a killed process never sees a partial file.
// kDurable also fsyncs the file and its directory, so the content survives a
// power loss; kDerived skips that for files that are recomputed when found
// damaged (request specs: `foley plan` rewrites any spec whose content differs).
enum class Durability { kDurable, kDerived };

// Writes `content` to `path` through a temp file in the same directory, then
// renames it into place. Creates missing parent directories. Throws foley::Error.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       Durability durability = Durability::kDurable);

// Like write_file_atomic, but leaves the file untouched (mtime included) when
// it already holds exactly `content`. Returns true when it wrote.
bool write_file_if_changed(const std::filesystem::path& path, std::string_view content,
                           Durability durability = Durability::kDurable);

// Creates `path` with `content` unless a file is already there: the content is
// written whole under a temp name, then hard-linked to `path`, so a reader
// never sees a partial file and of two racing writers the first one wins.
// `mode` is the new file's permission bits (0600 for a secret). Returns true
// when this call created the file, false when one was there. Throws foley::Error.
bool write_file_exclusive(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);

// Reads a whole file. Throws foley::Error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

// A temp file next to its final destination. commit() fsyncs and renames it into
// place; if it is destroyed without commit() the temp file is removed, so a
// failed attempt leaves nothing behind. Temp names start with ".tmp-" so that
// tools (gc, verify) can recognise and sweep orphans left by a `kill -9`.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& final_path);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return temp_path_; }
  const std::filesystem::path& final_path() const { return final_path_; }
  int fd() const { return fd_; }

  // Appends bytes; throws on a short write.
  void write(const void* data, size_t size);
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Discards everything written so far (used between retries).
  void truncate();
  // fsync + close + rename over final_path + fsync of the directory
  // (kDerived: close + rename only).
  void commit(Durability durability = Durability::kDurable);
  // Like commit(), but links instead of renaming, so it never replaces a file
  // already at final_path: returns false (and removes the temp file) then.
  bool commit_if_absent(Durability durability = Durability::kDurable);

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// True for the names TempFile uses, so sweeps can remove orphans.
bool is_temp_name(const std::string& filename);

}  // namespace foley
