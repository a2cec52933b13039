#pragma once

#include <filesystem>
#include <string>

namespace foley::cache {

class Index;

// XXH3-128 hex of a file's bytes, re-hashed only when its (size, mtime_ns,
// inode) differ from what the index's stat_hashes table remembers (DVC's
// trick). A file modified less than 2 s ago is hashed but not remembered: its
// mtime could still change within the file system's timestamp granularity
// without the stat triple changing. Throws foley::Error naming the path.
std::string cached_file_hash(Index& index, const std::filesystem::path& path);

// Content hash of a folder (e.g. a model's weights): XXH3-128 over the sorted
// list of (relative path, file hash) of every regular file below `dir`,
// skipping any path component that starts with '.'. Renaming, adding,
// removing or changing a file changes it; touching one does not. Throws
// foley::Error when `dir` is not a directory.
std::string cached_folder_hash(Index& index, const std::filesystem::path& dir);

}  // namespace foley::cache
